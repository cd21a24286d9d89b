/**
 * Bulwark end-to-end tests against a real Kubernetes API server (`make e2e`, also run by
 * `make test`/CI as the test.sh group "e2e"). Usually started through scripts/e2e.sh.
 *
 *   tsx e2e/run.ts [--env <name>]... [--dist <dir>] [--no-gitops] [--verbose]
 *
 * --dist tests another synthesized tree instead of dist/ (e.g. a deliberately broken copy).
 * --no-gitops skips the GitOps phase.
 *
 * For every environment (default: every overlays/<env>.yaml) three fresh control planes are started
 * from the pinned binaries in .tools/bin (etcd + kube-apiserver, see e2e/cluster.ts), side by
 * side, and always torn down:
 *   <env>-apply   CRDs, server-side apply of dist/<env>/, idempotency, Pod Security, RBAC
 *                 (e2e/apply-phase.ts); the control-plane artifacts of dist/<env>/control-plane/
 *                 at work: Secrets encrypted in etcd, audit log per the policy (e2e/control-plane.ts)
 *   <env>-helm    the umbrella chart: make install, upgrade, rollback with Helm 3 (e2e/helm-phase.ts)
 *   <env>-helm4   the same with Helm 4 (the charts are packaged once for both)
 * and, for dev only, once those are done, a fourth on its own (Argo CD's processes would slow the
 * others down on a small machine):
 *   dev-gitops    a real Argo CD syncs what `bulwark publish` puts on the dist branch of a temp
 *                 repository: Synced, every object as published, a second publish applied and
 *                 pruned, a hand edit healed (e2e/gitops-phase.ts). Its source is the dev fixture
 *                 overlay (it builds its own input), and one environment is enough: what it proves
 *                 is the delivery, not an environment's content; dev is the smallest.
 * Every assertion is counted; the run ends with a table per environment and "N passed, N failed"
 * (exit 1 when anything failed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  applyDist,
  createNamespaces,
  IdempotencyResult,
  installCrds,
  prerequisiteNamespaces,
  PhaseContext,
  podSecurity,
  PsaResult,
  rbac,
  RbacResult,
  secondApply,
} from './apply-phase';
import { Cluster, startCluster } from './cluster';
import { controlPlaneArtifacts, controlPlaneChecks, ControlPlaneResult } from './control-plane';
import { startGatekeeperStandIn } from './gatekeeper';
import { GITOPS_ENV, gitopsPhase, GitopsResult } from './gitops-phase';
import { HELM_BINARIES, HelmBinary, helmLifecycle, HelmPaths, HelmResult, prepareCharts } from './helm-phase';
import { CrdDocument, DistObject, loadCrds, loadDistObjects } from './objects';
import { Assertions, pad } from './util';
import { verifyPhase } from './verify-phase';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, '.tools', 'bin');

interface EnvReport {
  env: string;
  objects?: { accepted: number; total: number; crds: number; rejected: string[]; waves: number };
  idempotent?: IdempotencyResult;
  psa?: PsaResult;
  rbac?: RbacResult;
  /** one lifecycle per helm binary */
  helm: { binary: HelmBinary; result: HelmResult }[];
  gitops?: GitopsResult;
  controlPlane: string;
  controlPlaneResult?: ControlPlaneResult;
  prerequisites?: string[];
  clusters: string[];
  passed: number;
  failed: number;
  seconds: number;
  error?: string;
}

interface RunOptions {
  readonly envs: string[];
  readonly verbose: boolean;
  readonly dist: string;
  readonly gitops: boolean;
}

function parseArgs(argv: string[]): RunOptions {
  const envs: string[] = [];
  let dist = path.join(ROOT, 'dist');
  let verbose = process.env.E2E_VERBOSE === '1';
  let gitops = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) envs.push(argv[++i]);
    else if (argv[i] === '--verbose' || argv[i] === '-v') verbose = true;
    else if (argv[i] === '--dist' && argv[i + 1]) dist = path.resolve(argv[++i]);
    else if (argv[i] === '--no-gitops') gitops = false;
    else throw new Error(`usage: tsx e2e/run.ts [--env <name>]... [--dist <dir>] [--no-gitops] [--verbose] (unknown argument ${argv[i]})`);
  }
  if (envs.length === 0) {
    for (const f of fs.readdirSync(path.join(ROOT, 'overlays')).sort()) if (f.endsWith('.yaml')) envs.push(f.replace(/\.yaml$/, ''));
  }
  return { envs, verbose, dist, gitops };
}

async function withCluster<T>(
  name: string,
  flags: { apiserverFlags: string[]; files: Record<string, string> },
  report: EnvReport,
  t: Assertions,
  body: (c: Cluster) => Promise<T>,
): Promise<T | undefined> {
  let cluster: Cluster;
  try {
    cluster = await startCluster({ name, binDir: BIN, apiserverFlags: flags.apiserverFlags, files: flags.files });
  } catch (e) {
    t.check(`${report.env} cluster`, `start etcd + kube-apiserver (${name})`, false, (e as Error).message);
    return undefined;
  }
  report.clusters.push(`${name} ready in ${cluster.startSeconds.toFixed(1)}s`);
  try {
    return await body(cluster);
  } catch (e) {
    t.check(`${report.env} ${name}`, 'phase completes without an unexpected error', false, (e as Error).stack ?? String(e));
    return undefined;
  } finally {
    cluster.client.close();
    await cluster.stop();
  }
}

async function runEnvironment(env: string, opts: RunOptions, crds: readonly CrdDocument[], t: Assertions): Promise<EnvReport> {
  const dist = opts.dist;
  const start = Date.now();
  const before = { passed: t.passed, failed: t.failed };
  const controlPlane = controlPlaneArtifacts(path.join(dist, env));
  // E2E_APISERVER_FLAGS: extra kube-apiserver flags for experiments, e.g.
  // "--runtime-config=admissionregistration.k8s.io/v1beta1=true" (space-separated)
  controlPlane.apiserverFlags.push(...(process.env.E2E_APISERVER_FLAGS ?? '').split(/\s+/).filter((f) => f !== ''));
  const report: EnvReport = { env, controlPlane: controlPlane.summary, clusters: [], helm: [], passed: 0, failed: 0, seconds: 0 };
  process.stdout.write(`\n== ${env} ==\n`);
  let objects: DistObject[];
  try {
    objects = loadDistObjects(ROOT, dist, env);
  } catch (e) {
    t.check(`${env} dist`, `read dist/${env}`, false, (e as Error).message);
    report.error = (e as Error).message;
    return finish();
  }
  const prereqs = prerequisiteNamespaces(objects);
  report.prerequisites = prereqs;
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  // The two phases use separate API servers, so they run side by side (much of a phase is spent
  // waiting on the server, e.g. for CRDs to become Established); each buffers its output, printed
  // in order afterwards.
  const ta = t.fork();
  const th = HELM_BINARIES.map(() => t.fork());
  const applyPhase = withCluster(`${env}-apply`, controlPlane, report, ta, async (cluster) => {
    const t = ta;
    const ctx: PhaseContext = { env, cluster, t, kubectlBin: path.join(BIN, 'kubectl'), work: mkWork(cluster) };
    t.begin(`${env} prerequisites`);
    await createNamespaces(ctx, `${env} prerequisites`, prereqs);
    const n = await installCrds(ctx, `${env} prerequisites`, crds);
    t.summary(`${env} prerequisites`, `${n}/${crds.length} CRDs from crds/sources.json Established, ${prereqs.length} namespaces`);
    const gatekeeper = startGatekeeperStandIn(cluster.client);
    t.begin(`${env} apply`);
    const applied = await applyDist(ctx, objects).finally(() => gatekeeper.stop());
    report.objects = { accepted: applied.accepted, total: applied.total, crds: n, rejected: applied.rejected, waves: applied.waves };
    t.summary(`${env} apply`, `${applied.accepted}/${applied.total} objects of dist/${env} accepted (server-side apply)`);
    t.begin(`${env} idempotent`);
    report.idempotent = await secondApply(ctx, objects, applied);
    t.summary(`${env} idempotent`, `kubectl diff: ${report.idempotent.diff}, second apply changed ${report.idempotent.changed} objects`);
    t.begin(`${env} psa`);
    report.psa = await podSecurity(ctx, objects);
    const psa = report.psa;
    t.summary(
      `${env} psa`,
      `${psa.enforced}/${psa.namespaces.length} ns enforce restricted, bad pod rejected in ${psa.badPodRejected}, `
        + `${psa.podsAdmitted}/${psa.pods} pods admitted`,
    );
    t.begin(`${env} rbac`);
    report.rbac = await rbac(ctx, objects);
    const r = report.rbac;
    t.summary(`${env} rbac`, `${r.questions} SubjectAccessReviews for ${r.subjects} subjects, ${r.asExpected} as expected`);
    t.begin(`${env} control-plane`);
    const ns = objects.find((o) => o.object.apiVersion === 'v1' && o.object.kind === 'Namespace')?.object.metadata.name ?? 'default';
    const cp = (report.controlPlaneResult = await controlPlaneChecks(ctx, controlPlane, ns));
    t.summary(`${env} control-plane`, `secret in etcd: ${cp.storedAs}; ${cp.secretEvents} Secret audit events`);
    // Last: it changes the cluster on purpose.
    t.begin(`${env} verify`);
    const verified = await verifyPhase(ctx, dist, objects);
    t.summary(`${env} verify`, `clean: ${verified.clean.replace(/ -> .*$/, '')}; after drift: ${verified.drifted.replace(/ -> .*$/, '')}`);
  });

  // Each helm binary on its own API server, which comes with nothing but the Gatekeeper stand-in
  // (the lifecycle installs CRDs and namespaces as a user would); the charts are packaged once.
  const paths: HelmPaths = { root: ROOT, dist, packager: path.join(BIN, 'helm'), tsx: path.join(ROOT, 'node_modules', '.bin', 'tsx'), version };
  const chartsDir = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-e2e-${env}-charts-`));
  const charts = prepareCharts(chartsDir, env, paths, objects);
  const helmPhases = HELM_BINARIES.map((binary, i) => withCluster(`${env}-${binary}`, controlPlane, report, th[i], async (cluster) => {
    const t = th[i];
    const ctx: PhaseContext = { env, cluster, t, kubectlBin: path.join(BIN, 'kubectl'), work: mkWork(cluster) };
    const group = `${env} ${binary}`;
    t.begin(group);
    const gatekeeper = startGatekeeperStandIn(cluster.client);
    const { charts: prepared, checks } = await charts;
    const options = { paths, helm: path.join(BIN, binary), group, checks, crds, first: i === 0 };
    const result = await helmLifecycle(ctx, options, prepared, objects).finally(() => gatekeeper.stop());
    report.helm.push({ binary, result });
    t.summary(group, result.steps.join(' -> '));
  }));
  await Promise.all([applyPhase, ...helmPhases]).finally(() => fs.rmSync(chartsDir, { recursive: true, force: true }));
  t.merge(ta);
  for (const f of th) t.merge(f);
  report.helm.sort((a, b) => HELM_BINARIES.indexOf(a.binary) - HELM_BINARIES.indexOf(b.binary));
  if (opts.gitops && env === GITOPS_ENV) {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    await withCluster(`${env}-gitops`, controlPlane, report, t, async (cluster) => {
      const ctx: PhaseContext = { env, cluster, t, kubectlBin: path.join(BIN, 'kubectl'), work: mkWork(cluster) };
      t.begin(`${env} gitops`);
      const paths = { root: ROOT, binDir: BIN, tsx, argocdVersion: toolsEnv('E2E_ARGOCD_VERSION') };
      report.gitops = await gitopsPhase(ctx, paths, crds);
      t.summary(`${env} gitops`, report.gitops.steps.join(' -> '));
    });
  }
  report.clusters.sort();
  return finish();

  function finish(): EnvReport {
    report.passed = t.passed - before.passed;
    report.failed = t.failed - before.failed;
    report.seconds = (Date.now() - start) / 1000;
    return report;
  }
}

/** A pin of scripts/tools.env. */
function toolsEnv(key: string): string {
  const value = new RegExp(`^${key}=(\\S+)$`, 'm').exec(fs.readFileSync(path.join(ROOT, 'scripts', 'tools.env'), 'utf8'))?.[1];
  if (!value) throw new Error(`scripts/tools.env has no ${key}`);
  return value;
}

function mkWork(cluster: Cluster): string {
  const dir = path.join(cluster.dir, 'work');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function table(r: EnvReport): string {
  const rows: [string, string][] = [];
  const o = r.objects;
  rows.push([
    'objects applied',
    o
      ? `${o.accepted}/${o.total} accepted`
        + (o.crds ? ` (after ${o.crds} CRDs)` : '')
        + (o.waves > 1 ? `, in ${o.waves} waves` : '')
        + (o.rejected.length ? `; rejected: ${o.rejected.length}` : '')
      : 'not run',
  ]);
  const i = r.idempotent;
  rows.push(['second apply', i ? `kubectl diff: ${i.diff}; ${i.changed} objects changed by the second apply` : 'not run']);
  const p = r.psa;
  rows.push([
    'PSA',
    p
      ? `enforce=restricted on ${p.enforced}/${p.namespaces.length} ns; `
        + `bad pod rejected in ${p.badPodRejected}/${p.namespaces.length} ns (${p.rejectedWith ?? 'no PodSecurity rejection'}); `
        + `${p.podsAdmitted}/${p.pods} platform pods pass dry run`
      : 'not run',
  ]);
  const b = r.rbac;
  rows.push([
    'RBAC',
    b
      ? `${b.questions} questions for ${b.subjects} subjects (${b.allowed} allowed, ${b.denied} denied expected), ${b.asExpected} as expected`
      : 'not run',
  ]);
  if (r.helm.length === 0) rows.push(['helm', 'not run']);
  for (const h of r.helm) {
    rows.push([h.binary, h.result.steps.join(' -> ')]);
    for (const n of h.result.notes) rows.push(['', `note: ${n}`]);
  }
  const g = r.gitops;
  if (g) {
    rows.push(['gitops', g.steps.join(' -> ')]);
    if (g.applications.length) {
      rows.push([
        '',
        `Applications ${g.applications.join(', ')}: ${g.objects.join(' then ')} objects compared`
          + (g.rssMiB ? `; Argo CD + redis ${g.rssMiB.toFixed(0)} MiB RSS` : ''),
      ]);
    }
    for (const n of g.notes) rows.push(['', `note: ${n}`]);
  }
  if (r.prerequisites?.length) rows.push(['prerequisites', `namespaces not in dist/ but used by it, created first: ${r.prerequisites.join(', ')}`]);
  const c = r.controlPlaneResult;
  rows.push([
    'control plane',
    c
      ? `audit: ${c.secretEvents} Secret events at ${c.secretLevel}; `
        + `etcd: secret stored as ${c.storedAs}${c.kmsReplaced ? ' (KMS replaced for the test)' : ''}`
      : 'not run',
  ]);
  rows.push(['', r.controlPlane]);
  rows.push(['API servers', r.clusters.join(', ') || 'none started']);
  rows.push(['result', `${r.passed} passed, ${r.failed} failed in ${r.seconds.toFixed(0)}s`]);
  const lines = [`+-- ${r.env} ${'-'.repeat(Math.max(0, 96 - r.env.length))}`];
  for (const [k, v] of rows) lines.push(`| ${pad(k, 16)}${v}`);
  for (const rej of o?.rejected ?? []) lines.push(`|   rejected: ${rej}`);
  lines.push(`+${'-'.repeat(100)}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const { envs, verbose } = opts;
  const gitopsBins = opts.gitops && envs.includes(GITOPS_ENV) ? ['argocd', 'kustomize', 'git-verify-wrapper.sh'] : [];
  const missing = ['etcd', 'kube-apiserver', 'kubectl', ...HELM_BINARIES, ...gitopsBins].filter((b) => !fs.existsSync(path.join(BIN, b)));
  if (missing.length > 0) {
    process.stdout.write(`e2e: ${missing.join(', ')} missing in .tools/bin: run make setup\n0 passed, 1 failed\n`);
    return 1;
  }
  const t = new Assertions(verbose);
  const t0 = Date.now();
  let crds: CrdDocument[] = [];
  try {
    crds = loadCrds();
    t.check('crds', `read the ${crds.length} CRDs listed in crds/sources.json`, true);
  } catch (e) {
    t.check('crds', 'read the CRDs listed in crds/sources.json', false, (e as Error).message);
  }
  const reports: EnvReport[] = [];
  for (const env of envs) reports.push(await runEnvironment(env, opts, crds, t));

  process.stdout.write('\n');
  for (const r of reports) process.stdout.write(`${table(r)}\n`);
  if (t.failures.length > 0) {
    process.stdout.write(`\nfailed:\n${t.failures.map((f) => `  ${f.group}: ${f.name}`).join('\n')}\n`);
  }
  // Under scripts/e2e.sh (E2E_PID_DIR set) the wrapper adds its teardown check and prints the
  // final "N passed, N failed" itself.
  const prefix = process.env.E2E_PID_DIR ? 'e2e driver: ' : '';
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  process.stdout.write(`\ne2e: ${envs.length} environments in ${seconds}s\n${prefix}${t.passed} passed, ${t.failed} failed\n`);
  return t.failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stdout.write(`e2e: ${e.stack ?? e.message}\n0 passed, 1 failed\n`);
    process.exitCode = 1;
  },
);
