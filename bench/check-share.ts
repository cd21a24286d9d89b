/**
 * What the synth's checks cost at a size: one `node --cpu-prof .build/main.js synth` of the bench
 * workspace, and the share of its main thread's busy time spent under the connectivity check
 * (`connectivityFindings`) and under the per-object checks (`runChecks`), from the profile. A
 * share within one run is stable where wall-clock differences between runs are not.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The main thread's time in a CPU profile, and how much of it ran under each named function. */
export interface ProfileShare {
  readonly busyMs: number;
  readonly underMs: Readonly<Record<string, number>>;
}

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string }; readonly children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Busy time (idle and the profiler's own program time left out) and the time under each of `functions`, of one profile. */
export function profileShare(profile: CpuProfile, functions: readonly string[]): ProfileShare {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const under = Object.fromEntries(functions.map((f) => [f, 0]));
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (name.get(id) === '(idle)') return;
    busy += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = name.get(at)!;
      if (f in under && !seen.has(f)) {
        under[f] += dt;
        seen.add(f);
      }
    }
  });
  return { busyMs: busy, underMs: under };
}

/** Profiles one compiled synth of `overlaysDir` into `work` and returns the checks' share of it. */
export function checkShare(root: string, overlaysDir: string, work: string): ProfileShare {
  const dir = path.join(work, 'cpu-profile');
  const out = path.join(work, 'profiled-dist');
  const result = spawnSync(process.execPath, [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    path.join(root, '.build', 'main.js'),
    'synth',
    '--overlays',
    overlaysDir,
    '--out',
    out,
    '--quiet',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`profiled synth failed (${result.status ?? result.signal}):\n${result.stderr.toString()}`);
  const [file] = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return profileShare(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile, ['connectivityFindings', 'runChecks']);
}
