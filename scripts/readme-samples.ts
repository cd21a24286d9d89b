/**
 * The README's sample outputs, generated, each between its `<!-- <name>:start -->` and
 * `<!-- <name>:end -->` markers so that it never goes stale: `synth-sample`, what `make synth`
 * prints on a fresh clone of the committed overlays; `diff-sample`, what `make diff REF=HEAD`
 * prints for a change to them (dev's mcp at 2 replicas), run for real in a throwaway repository;
 * `publish-sample`, what `make publish` prints there, twice (a first publish, then nothing to do);
 * `check-sample`, what `bulwark check` prints for a directory of the check corpus' manifests.
 * `make update` runs it; a test runs `--check`.
 *
 *   npx tsx scripts/readme-samples.ts [--check]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { CliContext, run } from '../lib/cli/cli';
import { summaryLine } from '../lib/cli/synth-command';
import { readOverlays } from '../lib/config/load-overlay';
import { synthesize } from '../lib/synth/pipeline';
import { Git } from '../lib/util/git';

const ROOT = path.resolve(__dirname, '..');
export const README = path.join(ROOT, 'README.md');
/** Kinds shown per environment before the list is cut with "…" (the full list is long). */
const KINDS_SHOWN = 2;

/** The console block: one summary line per environment, then the total of a first write. */
export function synthSample(root: string, version: string): string {
  const { overlays, problems } = readOverlays(path.join(root, 'overlays'), { cwd: root });
  if (problems.length > 0) throw new Error(`the committed overlays have problems; run make synth to see them`);
  const { environments, files } = synthesize(overlays, { platformVersion: version });
  const lines = environments.map((r) => {
    const kinds = Object.entries(r.objectsByKind);
    const shown = { ...r, objectsByKind: Object.fromEntries(kinds.slice(0, KINDS_SHOWN)) };
    const line = summaryLine(shown, 'dist');
    return kinds.length > KINDS_SHOWN ? line.replace(/\)$/, ', …)') : line;
  });
  const total = `wrote ${files.size} files for ${environments.length} environments to dist/ (0 changed, ${files.size} added, 0 removed)`;
  return ['```console', '$ make synth', ...lines, total, '```'].join('\n');
}

/** The change the diff sample shows: in this overlay, this component's replicas. */
const DIFF_CHANGE = { overlay: 'dev.yaml', component: 'mcp', replicas: 2 } as const;
/** The line of the diff the sample ends with ("…" after it): the change itself. */
const DIFF_LAST_LINE = `+  replicas: ${DIFF_CHANGE.replicas}`;

/**
 * The console block of `make diff REF=HEAD` after the change, cut after the line that shows it:
 * a repository is made of the committed overlays and their synth, the overlay is changed, and
 * `bulwark diff --ref HEAD` runs in it as `make diff` runs it.
 */
export function diffSample(root: string, version: string): string {
  return inSampleRepository(root, version, 'diff', (dir) => {
    const file = path.join(dir, 'overlays', DIFF_CHANGE.overlay);
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    if (!doc.hasIn(['components', DIFF_CHANGE.component])) {
      throw new Error(`the diff sample: ${DIFF_CHANGE.overlay} has no component ${DIFF_CHANGE.component}`);
    }
    doc.setIn(['components', DIFF_CHANGE.component, 'replicas'], DIFF_CHANGE.replicas);
    fs.writeFileSync(file, doc.toString());
    const diff = cli(['diff', '--ref', 'HEAD'], dir, version);
    if (diff.code !== 1) throw new Error(`the diff sample: bulwark diff exited ${diff.code}, not 1 (differences): ${diff.stderr}`);
    const env = path.basename(DIFF_CHANGE.overlay, '.yaml');
    const comment = `# after giving ${env}'s ${DIFF_CHANGE.component} replicas: ${DIFF_CHANGE.replicas}`;
    return ['```console', `$ make diff REF=HEAD      ${comment}`, ...upToChange(diff.stdout), '```'].join('\n');
  });
}

/**
 * The console block of `make publish` run twice in a repository made of the committed overlays
 * and their synth: the first publish creates the dist branch, the second finds nothing to do.
 */
export function publishSample(root: string, version: string): string {
  return inSampleRepository(root, version, 'publish', (dir) => {
    const runs = [cli(['publish'], dir, version), cli(['publish'], dir, version)];
    const failed = runs.find((r) => r.code !== 0);
    if (failed) throw new Error(`the publish sample: bulwark publish failed: ${failed.stderr}`);
    return ['```console', ...runs.flatMap((r) => ['$ make publish', ...r.stdout.trimEnd().split('\n')]), '```'].join('\n');
  });
}

/**
 * Runs `render` in a throwaway repository made of the committed overlays and their synth, as one
 * commit (commitAll), and removes it afterwards.
 */
function inSampleRepository(root: string, version: string, sample: string, render: (dir: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-${sample}-sample-`));
  try {
    fs.cpSync(path.join(root, 'overlays'), path.join(dir, 'overlays'), { recursive: true });
    const synth = cli(['synth', '--quiet'], dir, version);
    if (synth.code !== 0) throw new Error(`the ${sample} sample: synth of the committed overlays failed: ${synth.stderr}`);
    commitAll(new Git(dir));
    return render(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The diff's lines up to the one that shows the change, then "…". */
export function upToChange(output: string): string[] {
  const lines = output.split('\n');
  const last = lines.indexOf(DIFF_LAST_LINE);
  if (last === -1) throw new Error(`the diff sample: bulwark diff printed no line ${JSON.stringify(DIFF_LAST_LINE)}`);
  return [...lines.slice(0, last + 1), '…'];
}

/** Runs the CLI in `cwd` as a pipe sees it (no terminal, no colors). */
function cli(args: readonly string[], cwd: string, version: string): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    cwd,
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    noColor: true,
    dumbTerminal: true,
    platformVersion: version,
    chartsDir: path.join(ROOT, 'charts'),
    helm: path.join(ROOT, '.tools', 'bin', 'helm'),
    debug: false,
    now: () => 0,
  };
  const code = run(args, context);
  return { code, stdout, stderr };
}

/**
 * Everything in the work tree as the first commit of branch main, by a fixed identity at a fixed
 * time, whatever the user's git config says: the same tree gives the same commit (the publish
 * sample prints its hash).
 */
function commitAll(git: Git): void {
  git.run(['init', '-q', '-b', 'main']);
  git.run(['add', '-A']);
  const [name, email, date] = ['Bulwark', 'readme@bulwark.invalid', '2026-01-01T00:00:00Z'];
  const identity = {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
    GIT_COMMITTER_DATE: date,
  };
  git.run(['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', 'the committed overlays and their synth'], { env: identity });
}

/** One generated block of the README. */
export interface Sample {
  /** Its markers: `<!-- <marker>:start -->`, `<!-- <marker>:end -->`. */
  readonly marker: string;
  /** What it shows, for messages. */
  readonly what: string;
  readonly render: (root: string, version: string) => string;
}

/** The corpus files the check sample judges: the clean set and two of the seeded violations. */
const CHECK_SAMPLE_FILES: Readonly<Record<string, string>> = {
  'manifests/app.yaml': 'clean/platform.yaml',
  'manifests/debug.yaml': 'violations/privileged-containers.yaml',
  'manifests/tools.yaml': 'violations/rbac-pod-exec.yaml',
};

/** What `bulwark check manifests/` prints for a directory of manifests with two violations. */
export function checkSample(root: string, version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-check-sample-'));
  try {
    for (const [to, from] of Object.entries(CHECK_SAMPLE_FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
      fs.copyFileSync(path.join(root, '__tests__', 'fixtures', 'check-corpus', from), path.join(dir, to));
    }
    const checked = cli(['check', 'manifests/'], dir, version);
    if (checked.code !== 1) throw new Error(`the check sample: bulwark check exited ${checked.code}, not 1: ${checked.stderr}`);
    return ['```console', '$ bin/bulwark check manifests/', ...checked.stdout.trimEnd().split('\n'), '```'].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const SAMPLES: readonly Sample[] = [
  { marker: 'synth-sample', what: 'make synth', render: synthSample },
  { marker: 'check-sample', what: 'bulwark check', render: checkSample },
  { marker: 'diff-sample', what: 'make diff', render: diffSample },
  { marker: 'publish-sample', what: 'make publish', render: publishSample },
];

/** `readme` with the block between `marker`'s markers replaced by `sample`. */
export function withSample(readme: string, sample: string, marker = 'synth-sample'): string {
  const START = `<!-- ${marker}:start -->`;
  const END = `<!-- ${marker}:end -->`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n${sample}\n${readme.slice(end)}`;
}

function main(): void {
  const check = process.argv.includes('--check');
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const readme = fs.readFileSync(README, 'utf8');
  let next = readme;
  const stale: string[] = [];
  for (const sample of SAMPLES) {
    const updated = withSample(next, sample.render(ROOT, version), sample.marker);
    if (updated !== next) stale.push(sample.what);
    next = updated;
  }
  if (stale.length === 0) return;
  if (check) {
    for (const what of stale) process.stderr.write(`README.md: the sample output of ${what} is stale; run make update\n`);
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(README, next);
  for (const what of stale) process.stdout.write(`README.md: sample output of ${what} updated\n`);
}

if (require.main === module) main();
