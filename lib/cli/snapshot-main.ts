/**
 * The entry point of Bulwark's startup snapshot, `.build/bulwark.blob`: the whole CLI, its
 * dependencies loaded and compiled, restored by V8 instead of being required module by module.
 * `make build` (scripts/build-snapshot.sh) bundles the compiled form of this file and runs it
 * under `node --build-snapshot`; bin/bulwark runs `node --snapshot-blob .build/bulwark.blob …`.
 *
 * Only the function given to setDeserializeMainFunction runs at run time, so it reads the process
 * (arguments, root, environment) there: anything read while the snapshot is built stays frozen.
 */
import * as path from 'path';
import { startupSnapshot } from 'v8';
import { readOverlays } from '../config/load-overlay';
import { synthesize } from '../synth/pipeline';
import { runProcess } from './process-context';

/** The blob's path, from node's own options (`--snapshot-blob <file>` or `--snapshot-blob=<file>`). */
export function snapshotBlob(execArgv: readonly string[]): string | undefined {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (arg === '--snapshot-blob') return execArgv[i + 1];
    if (arg.startsWith('--snapshot-blob=')) return arg.slice('--snapshot-blob='.length);
  }
  return undefined;
}

/** The repository root of a blob at `<root>/.build/bulwark.blob`. */
export function rootOfBlob(blob: string, cwd: string): string {
  return path.dirname(path.dirname(path.resolve(cwd, blob)));
}

function main(): void {
  const blob = snapshotBlob(process.execArgv);
  if (blob === undefined) throw new Error('bulwark snapshot: run as node --snapshot-blob <root>/.build/bulwark.blob');
  // A snapshot's main has no script: process.argv is [node, ...arguments].
  runProcess(rootOfBlob(blob, process.cwd()), process.argv.slice(1), { compiled: true });
}

/**
 * While the snapshot is built: synthesizes the overlays named by BULWARK_SNAPSHOT_WARM_UP (the
 * repository's, set by scripts/build-snapshot.ts) in memory, so that the code a synth runs is
 * compiled in the blob: about 20 ms less per run. Best effort (the overlays may be missing or
 * invalid while they are edited); nothing of the run stays but compiled code, nothing is written.
 */
function warmUp(): void {
  const dir = process.env.BULWARK_SNAPSHOT_WARM_UP;
  if (dir === undefined || dir === '') return;
  try {
    const { overlays } = readOverlays(dir);
    if (overlays.length > 0) synthesize(overlays, { platformVersion: '0.0.0' });
  } catch {
    // A warm-up only: the snapshot works without it.
  }
}

if (startupSnapshot.isBuildingSnapshot()) {
  warmUp();
  startupSnapshot.setDeserializeMainFunction(main);
}
