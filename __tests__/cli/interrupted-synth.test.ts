/**
 * A synth killed (SIGKILL, no cleanup possible) while it writes never leaves a mix of old and new
 * files in dist/: killed while staging, dist/ is the old tree; killed between the two renames of
 * the swap, the complete old tree waits beside dist/ and the next run (even one that fails on its
 * input) puts it back. The next successful synth ends with exactly the new tree and nothing beside.
 *
 * The test hooks BULWARK_TEST_WRITE_DELAY_MS / BULWARK_TEST_SWAP_DELAY_MS slow the real process
 * down at those two points so that the kill lands there.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanEnv, FIXTURES, MAIN, runCli, treeBytes, TSX } from './cli-harness';

const valid = fs.readFileSync(path.join(FIXTURES, 'valid-overlay.yaml'), 'utf8');

/** Two environments, with the backend at `tag`. */
function writeOverlays(dir: string, tag: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const env of ['dev', 'prod']) {
    // Each environment with a namespace and a host of its own: two on one cluster may not share them.
    const text = valid.replace('environment: dev', `environment: ${env}`).replace('backend:1.4.2', `backend:${tag}`)
      .replace('namespace: bulwark-dev', `namespace: bulwark-${env}`).replace('app.dev.example.com', `app.${env}.example.com`);
    fs.writeFileSync(path.join(dir, `${env}.yaml`), text);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts `tsx main.ts synth` in its own process group (tsx runs the script in a child process). */
function startSynth(cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(TSX, [MAIN, 'synth', '--quiet'], { cwd, env: { ...cleanEnv(), ...env }, detached: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

/** Waits until `ready()` holds while the synth still runs. */
async function waitFor(run: { exited: Promise<void> }, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  let done = false;
  void run.exited.then(() => { done = true; });
  while (!ready()) {
    if (done) throw new Error('the synth finished before the awaited point was reached');
    if (Date.now() > deadline) throw new Error('the awaited point was never reached');
    await sleep(5);
  }
}

/** Waits until `ready()` holds, then SIGKILLs the whole process group (tsx and its child). */
async function killWhen(run: { child: ChildProcess; exited: Promise<void> }, ready: () => boolean): Promise<void> {
  await waitFor(run, ready);
  process.kill(-run.child.pid!, 'SIGKILL');
  await run.exited;
}

describe('a synth killed mid-write', () => {
  let work: string;
  let oldTree: Record<string, string>;
  let newTree: Record<string, string>;
  const overlays = () => path.join(work, 'overlays');
  const dist = () => path.join(work, 'dist');
  const beside = () => fs.readdirSync(work).filter((n) => n.startsWith('.dist-')).sort();

  beforeAll(() => {
    // The old tree (the previous release) and the expected new one, from uninterrupted runs.
    const template = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-kill-trees-'));
    try {
      writeOverlays(path.join(template, 'overlays'), '1.4.1');
      expect(runCli(['synth', '--quiet', '--out', 'old'], { cwd: template }).code).toBe(0);
      writeOverlays(path.join(template, 'overlays'), '1.4.2');
      expect(runCli(['synth', '--quiet', '--out', 'new'], { cwd: template }).code).toBe(0);
      oldTree = treeBytes(path.join(template, 'old'));
      newTree = treeBytes(path.join(template, 'new'));
    } finally {
      fs.rmSync(template, { recursive: true, force: true });
    }
    expect(Object.keys(oldTree)).toEqual(Object.keys(newTree));
    expect(oldTree).not.toEqual(newTree);
  });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-kill-'));
    for (const [rel, b64] of Object.entries(oldTree)) {
      fs.mkdirSync(path.dirname(path.join(dist(), rel)), { recursive: true });
      fs.writeFileSync(path.join(dist(), rel), Buffer.from(b64, 'base64'));
    }
    writeOverlays(overlays(), '1.4.2');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('killed while writing files: dist/ is still entirely the old tree; the next synth recovers cleanly', async () => {
    const run = startSynth(work, { BULWARK_TEST_WRITE_DELAY_MS: '20' });
    const staged = (): number => {
      const staging = beside().find((n) => n.startsWith('.dist-new-'));
      return staging ? Object.keys(treeBytes(path.join(work, staging))).length : 0;
    };
    await killWhen(run, () => staged() >= 10);
    expect(treeBytes(dist())).toEqual(oldTree);
    expect(staged()).toBeLessThan(Object.keys(newTree).length); // killed with the new tree half-written
    expect(beside()).toEqual(['.dist-lock', expect.stringMatching(/^\.dist-new-\d+-0$/)]);

    const next = runCli(['synth', '--quiet'], { cwd: work });
    expect(next).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(treeBytes(dist())).toEqual(newTree);
    expect(beside()).toEqual([]);
  }, 40_000);

  test('killed between the two renames: the old tree waits aside and comes back, even through a failing run', async () => {
    const run = startSynth(work, { BULWARK_TEST_SWAP_DELAY_MS: '30000' });
    await killWhen(run, () => beside().some((n) => n.startsWith('.dist-old-')));
    expect(fs.existsSync(dist())).toBe(false);
    const aside = beside().find((n) => n.startsWith('.dist-old-'))!;
    expect(treeBytes(path.join(work, aside))).toEqual(oldTree);

    // A run that fails on its input still puts the old tree back, and changes nothing else.
    fs.copyFileSync(path.join(FIXTURES, 'bad-overlays', 'image-latest-tag.yaml'), path.join(overlays(), 'dev.yaml'));
    const failing = runCli(['synth'], { cwd: work });
    expect(failing.code).toBe(1);
    expect(treeBytes(dist())).toEqual(oldTree);
    expect(beside()).toEqual([]);

    writeOverlays(overlays(), '1.4.2');
    expect(runCli(['synth', '--quiet'], { cwd: work }).code).toBe(0);
    expect(treeBytes(dist())).toEqual(newTree);
    expect(beside()).toEqual([]);
  }, 40_000);
});
