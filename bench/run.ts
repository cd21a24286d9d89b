/**
 * `make bench`: Bulwark's full synthesis against `helm template` of the equivalent chart and
 * against the floor (the same objects JSON.stringify'd to disk), for platforms of N services in
 * three environments. Every contender runs as its own process, several rounds in rotating order;
 * the table reports medians, and ratios are only ever taken within this one run.
 *
 *   tsx bench/run.ts [--sizes 10,100,1000] [--rounds 6] [--results bench/results.md]
 *
 * Bulwark runs through its real entry point (bin/bulwark: compiled JavaScript), from process
 * start to every file on disk: overlay loading, model, constructs, checks, emit, atomic write.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkShare, ProfileShare } from './check-share';
import { differences, objectsOfStream, objectsOfTree } from './compare';
import { BenchWorkspace, generateWorkspace } from './generate';
import { BENCH_ENVIRONMENTS } from './platform-spec';

const ROOT = path.resolve(__dirname, '..');
const HELM = process.env.HELM ?? path.join(ROOT, '.tools', 'bin', 'helm');
const KUBE_SCORE = path.join(ROOT, '.tools', 'bin', 'kube-score');
const KUBE_VERSION = '1.28.15';
const GNU_TIME = '/usr/bin/time';
const CONTENDERS = ['bulwark', 'helm', 'floor'] as const;
/** Rounds of the check bench: kube-score takes seconds per run at N = 1000. */
const CHECK_ROUNDS = 4;
const KUBE_SCORE_VERSION = /^KUBE_SCORE_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'scripts', 'tools.env'), 'utf8'))?.[1] ?? 'unknown';
type Contender = (typeof CONTENDERS)[number];

interface Measurement {
  readonly seconds: number;
  /** user + system CPU seconds (all processes of the contender). */
  readonly cpu: number;
  /** Peak resident set of the largest process, in bytes; NaN when GNU time is missing. */
  readonly rss: number;
}

interface Options {
  readonly sizes: readonly number[];
  readonly rounds: number;
  readonly results: string;
}

function parseArgs(argv: readonly string[]): Options {
  let sizes = [10, 100, 1000];
  // A multiple of the three contenders: each runs first, second and last equally often.
  let rounds = 6;
  let results = path.join(ROOT, 'bench', 'results.md');
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--sizes') sizes = value.split(',').map(Number);
    else if (argv[i] === '--rounds') rounds = Number(value);
    else if (argv[i] === '--results') results = path.resolve(value);
    else throw new Error(`unknown argument ${argv[i]}; usage: bench/run.ts [--sizes 10,100,1000] [--rounds 6] [--results file]`);
    i++;
  }
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error('--sizes and --rounds take positive integers');
  }
  return { sizes, rounds, results };
}

/** Runs one process under GNU time (when present) and returns what it cost. */
const TIME_REPORT = path.join(os.tmpdir(), `bulwark-bench-time-${process.pid}`);

function measureProcess(command: readonly string[], stdoutFile?: string, okCodes: readonly number[] = [0]): Measurement {
  const useTime = fs.existsSync(GNU_TIME);
  const report = TIME_REPORT;
  const argv = useTime ? [GNU_TIME, '-f', '%M %U %S', '-o', report, ...command] : [...command];
  const out = stdoutFile === undefined ? 'ignore' : fs.openSync(stdoutFile, 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', out, 'pipe'], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (typeof out === 'number') fs.closeSync(out);
  if (result.status === null || !okCodes.includes(result.status)) {
    throw new Error(`${command.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr?.toString() ?? ''}`);
  }
  if (!useTime) return { seconds, cpu: NaN, rss: NaN };
  const [kb, user, system] = fs.readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpu: user + system, rss: kb * 1024 };
}

/**
 * One run of a contender, writing into the fresh directory `out`. The file system is synced first
 * (not timed): otherwise a run pays for flushing what the previous one wrote (30,000 files at
 * N = 1000), whichever contender that was.
 */
function runContender(contender: Contender, ws: BenchWorkspace, out: string): Measurement {
  spawnSync('sync', { stdio: 'ignore' });
  switch (contender) {
    case 'bulwark':
      return measureProcess([path.join(ROOT, 'bin', 'bulwark'), 'synth', '--overlays', ws.overlaysDir, '--out', out, '--quiet']);
    case 'floor':
      return measureProcess([process.execPath, path.join(ROOT, 'bench', 'floor.js'), ws.objectsFile, out]);
    case 'helm': {
      fs.mkdirSync(out, { recursive: true });
      const runs = BENCH_ENVIRONMENTS.map((env) => measureProcess(
        [HELM, 'template', 'bench', ws.chartDir, '-f', ws.valuesFiles.get(env.environment)!, '--kube-version', KUBE_VERSION],
        path.join(out, `${env.environment}.yaml`),
      ));
      return {
        seconds: runs.reduce((s, m) => s + m.seconds, 0),
        cpu: runs.reduce((s, m) => s + m.cpu, 0),
        rss: Math.max(...runs.map((m) => m.rss)),
      };
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Bulwark's output and helm's must hold the same objects, environment by environment. */
function checkEquality(bulwarkOut: string, helmOut: string): void {
  for (const env of BENCH_ENVIRONMENTS) {
    const helmText = fs.readFileSync(path.join(helmOut, `${env.environment}.yaml`), 'utf8');
    const diff = differences(
      objectsOfTree(path.join(bulwarkOut, env.environment)),
      objectsOfStream(helmText, `helm ${env.environment}`),
      ['bulwark', 'helm'],
    );
    if (diff !== undefined) throw new Error(`${env.environment}: ${diff}`);
  }
}

interface SizeResult {
  readonly n: number;
  readonly objects: number;
  readonly medians: Readonly<Record<Contender, Measurement>>;
  /**
   * Bulwark / helm template within each round (the two ran seconds apart): the machine's slow and
   * fast phases, which move both medians, cancel out of these.
   */
  readonly roundRatios: readonly number[];
  /** Bulwark's output of the warm-up, kept for the check bench. */
  readonly bulwarkOut: string;
}

function benchSize(n: number, rounds: number, work: string, log: (line: string) => void): SizeResult {
  const ws = generateWorkspace(path.join(work, `n${n}`), n, readVersion());
  const objects = [...ws.objectCounts.values()].reduce((a, b) => a + b, 0);
  // Output trees are never deleted during the run: ext4 makes file creation slow for a while
  // after many deletions (inode allocation skips recently deleted inodes), which would penalize
  // whoever runs next. Everything is removed at the end.
  let serial = 0;
  const fresh = (c: Contender): string => path.join(work, `n${n}`, 'out', `${c}-${serial++}`);
  // Warm-up (page cache, binaries), not counted; its output is checked for equality.
  const warm = Object.fromEntries(CONTENDERS.map((c) => {
    const out = fresh(c);
    runContender(c, ws, out);
    return [c, out];
  })) as Record<Contender, string>;
  checkEquality(warm.bulwark, warm.helm);
  log(`N=${n}: ${objects} objects in ${BENCH_ENVIRONMENTS.length} environments; Bulwark's objects equal helm's (parsed, canonical JSON)`);
  const samples: Record<Contender, Measurement[]> = { bulwark: [], helm: [], floor: [] };
  for (let r = 0; r < rounds; r++) {
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + r) % CONTENDERS.length]);
    for (const c of order) samples[c].push(runContender(c, ws, fresh(c)));
    log(`  round ${r + 1}/${rounds} (${order.join(', ')}): ${order.map((c) => `${c} ${samples[c][r].seconds.toFixed(2)}s`).join(', ')}`);
  }
  const medians = Object.fromEntries(CONTENDERS.map((c) => [c, {
    seconds: median(samples[c].map((m) => m.seconds)),
    cpu: median(samples[c].map((m) => m.cpu)),
    rss: Math.max(...samples[c].map((m) => m.rss)),
  }])) as Record<Contender, Measurement>;
  const roundRatios = samples.bulwark.map((m, r) => m.seconds / samples.helm[r].seconds);
  return { n, objects, medians, roundRatios, bulwarkOut: warm.bulwark };
}

/** `bulwark check` and kube-score on the same files: one environment of a synth's output. */
interface CheckResult {
  readonly n: number;
  readonly files: number;
  readonly bulwark: Measurement;
  readonly kubeScore?: Measurement;
  readonly roundRatios: readonly number[];
}

/** The manifests of one environment of a synth: every object file (no kustomization.yaml), sorted. */
function manifestsOf(envDir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(envDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.yaml') && entry.name !== 'kustomization.yaml') out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/**
 * `bulwark check --profile generic` against `kube-score score` on the same files (the largest
 * environment of the synth, every object file), alternately, `rounds` times each. kube-score exits
 * 1 when it finds a critical problem (it does: it wants, e.g., a NetworkPolicy per pod of its own
 * choosing); both exits count as a run.
 */
function benchCheck(size: SizeResult, rounds: number, withKubeScore: boolean, log: (line: string) => void): CheckResult {
  const env = BENCH_ENVIRONMENTS[BENCH_ENVIRONMENTS.length - 1].environment;
  const files = manifestsOf(path.join(size.bulwarkOut, env));
  const bulwark = (): Measurement => measureProcess([path.join(ROOT, 'bin', 'bulwark'), 'check', ...files], '/dev/null', [0, 1]);
  const kubeScore = (): Measurement => measureProcess([KUBE_SCORE, 'score', '--output-format', 'ci', ...files], '/dev/null', [0, 1]);
  bulwark();
  if (withKubeScore) kubeScore();
  const samples: { bulwark: Measurement[]; kubeScore: Measurement[] } = { bulwark: [], kubeScore: [] };
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0 || !withKubeScore;
    if (first) samples.bulwark.push(bulwark());
    if (withKubeScore) samples.kubeScore.push(kubeScore());
    if (!first) samples.bulwark.push(bulwark());
    const ks = withKubeScore ? `, kube-score ${samples.kubeScore[r].seconds.toFixed(2)}s` : '';
    log(`  check N=${size.n} ${env} (${files.length} files) round ${r + 1}/${rounds}: bulwark check ${samples.bulwark[r].seconds.toFixed(2)}s${ks}`);
  }
  const med = (ms: readonly Measurement[]): Measurement => ({
    seconds: median(ms.map((m) => m.seconds)), cpu: median(ms.map((m) => m.cpu)), rss: Math.max(...ms.map((m) => m.rss)),
  });
  return {
    n: size.n,
    files: files.length,
    bulwark: med(samples.bulwark),
    ...(withKubeScore ? { kubeScore: med(samples.kubeScore) } : {}),
    roundRatios: withKubeScore ? samples.bulwark.map((m, r) => m.seconds / samples.kubeScore[r].seconds) : [],
  };
}

function checkLines(results: readonly CheckResult[]): string[] {
  const lines: string[] = [];
  const big = results.find((r) => r.n === 1000) ?? results[results.length - 1];
  if (big?.kubeScore) {
    const ratio = big.bulwark.seconds / big.kubeScore.seconds;
    lines.push(`- bulwark check (profile generic) over one environment at N = ${big.n} (${big.files} files): ${fmt(big.bulwark.seconds)} s, `
      + `${fmt(big.bulwark.cpu)} CPU s, ${mib(big.bulwark.rss)} MiB; `
      + `kube-score ${KUBE_SCORE_VERSION} on the same files: ${fmt(big.kubeScore.seconds)} s, `
      + `${fmt(big.kubeScore.cpu)} CPU s, ${mib(big.kubeScore.rss)} MiB; ratio ${fmt(ratio)} (target ≤ 0.1): ${ratio <= 0.1 ? 'met' : 'MISSED'}; `
      + `round by round ${fmt(Math.min(...big.roundRatios))}–${fmt(Math.max(...big.roundRatios))}`);
  }
  const small = results.find((r) => r.n === 100);
  if (big && small && big !== small) {
    const growth = big.bulwark.seconds / small.bulwark.seconds;
    lines.push(`- bulwark check growth 100 → 1000 (${small.files} → ${big.files} files): × ${fmt(growth)} (target ≤ 11, linear): `
      + `${growth <= 11 ? 'met' : 'MISSED'}`);
  }
  return lines;
}

function readVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${Math.round(bytes / 2 ** 20)}` : 'n/a');

function table(results: readonly SizeResult[]): string {
  const rows = [
    '| N | objects | contender | seconds | CPU s | peak RSS MiB | objects/s | × helm template |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    for (const c of CONTENDERS) {
      const m = r.medians[c];
      const name = c === 'bulwark' ? 'Bulwark synth' : c === 'helm' ? 'helm template' : 'floor (JSON.stringify to disk)';
      const perSecond = Math.round(r.objects / m.seconds);
      const cells = [r.n, r.objects, name, fmt(m.seconds), fmt(m.cpu), mib(m.rss), perSecond, fmt(m.seconds / r.medians.helm.seconds)];
      rows.push(`| ${cells.join(' | ')} |`);
    }
  }
  return rows.join('\n');
}

function targets(results: readonly SizeResult[]): string[] {
  const at = (n: number): SizeResult | undefined => results.find((r) => r.n === n);
  const lines: string[] = [];
  const ratio = (r: SizeResult): number => r.medians.bulwark.seconds / r.medians.helm.seconds;
  for (const [n, limit] of [[1000, 0.5], [100, 1.0], [10, 1.0]] as const) {
    const r = at(n);
    if (!r) continue;
    const floor = r.medians.floor.seconds / r.medians.helm.seconds;
    // Writing the files alone can take longer than the target allows: say so beside the verdict.
    const bound = ratio(r) > limit && floor > limit / 2
      ? `; the floor (the same files written from JSON) is ${fmt(floor)}× helm template in this run`
      : '';
    const paired = `; round by round ${fmt(Math.min(...r.roundRatios))}–${fmt(Math.max(...r.roundRatios))}, median ${fmt(median(r.roundRatios))}`;
    const verdict = ratio(r) <= limit ? 'met' : 'MISSED';
    lines.push(`- N = ${n}: Bulwark / helm template = ${fmt(ratio(r))} (target ≤ ${limit.toFixed(1)}): ${verdict}${paired}${bound}`);
  }
  const big = at(1000);
  if (big) {
    const rss = big.medians.bulwark.rss;
    lines.push(`- peak RSS at N = 1000: ${mib(rss)} MiB (target < 1024): ${rss < 2 ** 30 ? 'met' : 'MISSED'}`);
  }
  const small = at(100);
  if (big && small) {
    const growth = big.medians.bulwark.seconds / small.medians.bulwark.seconds;
    const helmGrowth = big.medians.helm.seconds / small.medians.helm.seconds;
    const verdict = growth <= 11 ? 'met' : 'MISSED';
    lines.push(`- growth 100 → 1000: Bulwark × ${fmt(growth)} (target ≤ 11): ${verdict}; helm template × ${fmt(helmGrowth)}`);
  }
  return lines;
}

function machine(work: string): string {
  const helm = spawnSync(HELM, ['version', '--short']).stdout?.toString().trim() ?? 'unknown';
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}, helm ${helm}; `
    + `outputs on ${filesystem(work)}`;
}

/** The file system outputs go to: creating 30,000 files costs seconds on ext4, little on tmpfs. */
function filesystem(dir: string): string {
  const names: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };
  const type = fs.statfsSync(dir).type;
  return `${names[type] ?? `file system 0x${type.toString(16)}`} (${dir.replace(/\/bulwark-bench-[^/]+$/, '')})`;
}

/**
 * Milliseconds to create 1,000 small files under `work`: this machine's ext4 gets many times
 * slower for minutes after heavy file churn (a CI run, say), and the figure tells such a run apart.
 * The files stay until the end: deleting them would slow the next creations down.
 */
/** What the checks of one synth cost at the largest size, from a CPU profile of it. */
function checksLine(n: number, share: ProfileShare): string {
  const part = (f: string) => `${Math.round(share.underMs[f])} ms (${((100 * share.underMs[f]) / share.busyMs).toFixed(1)}%)`;
  return `- checks at N = ${n}, from a CPU profile of one \`node --cpu-prof .build/main.js synth\` (${(share.busyMs / 1000).toFixed(2)} s `
    + `on its main thread): the connectivity check (connectivityFindings, every environment) ${part('connectivityFindings')}, `
    + `the per-object checks (runChecks) ${part('runChecks')}`;
}

function fileCreationCost(work: string): number {
  const dir = path.join(work, 'disk-probe');
  fs.mkdirSync(dir);
  spawnSync('sync', { stdio: 'ignore' });
  const start = performance.now();
  for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(dir, `f${i}.yaml`), 'kind: ConfigMap\n');
  return performance.now() - start;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, '.build', 'main.js'))) throw new Error('no compiled Bulwark in .build/: run make build (make bench does)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-'));
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    const probe = fileCreationCost(work);
    log(`creating 1,000 files took ${Math.round(probe)} ms on ${filesystem(work)}`);
    const results = options.sizes.map((n) => benchSize(n, options.rounds, work, log));
    const largestSize = results[results.length - 1];
    const checks = results.filter((r) => r.n === 100 || r === largestSize)
      .map((r) => benchCheck(r, CHECK_ROUNDS, r === largestSize, log));
    const largest = Math.max(...options.sizes);
    const share = checkShare(ROOT, path.join(work, `n${largest}`, 'overlays'), work);
    const lines = [
      '# Benchmark: Bulwark synth vs helm template',
      '',
      `Written by \`make bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${machine(work)}; `
        + `creating 1,000 files there took ${Math.round(probe)} ms before the run.`,
      '',
      'Each N: N services (Deployment, Service, ServiceAccount, Role, RoleBinding, NetworkPolicy, PodDisruptionBudget, ConfigMap, '
        + `AuthorizationPolicy, DestinationRule) in each of ${BENCH_ENVIRONMENTS.length} environments, plus each environment's platform objects. `
        + `Medians of ${options.rounds} rounds in rotating order after one warm-up; peak RSS is the largest process's maximum. `
        + 'Bulwark: `bin/bulwark synth` (compiled JavaScript), process start to every file on disk. '
        + 'helm template: the generated chart (bench/helm-chart.ts), one process per environment, output to a file each; '
        + 'its objects equal Bulwark\'s after parsing. '
        + 'Floor: a Node process writing the same objects as JSON.stringify, one file each. The file system is synced (untimed) before every run. '
        + 'Compare ratios within one run only: the disk is noisy. '
        + 'The verdicts divide the medians; beside them, the ratio within each round, whose contenders ran seconds apart, '
        + 'so that the machine\'s slow and fast phases cancel out.',
      '',
      table(results),
      '',
      ...targets(results),
      '',
      checksLine(largest, share),
      ...checkLines(checks),
      '',
    ];
    fs.writeFileSync(options.results, lines.join('\n'));
    log('');
    log(lines.slice(6).join('\n'));
    log(`wrote ${path.relative(process.cwd(), options.results)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(TIME_REPORT, { force: true });
  }
}

main();
