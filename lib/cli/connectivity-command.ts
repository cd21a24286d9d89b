/**
 * `bulwark connectivity --env <name>`: the connectivity matrix of one environment, from its
 * objects synthesized in memory (nothing of dist/ is read or written, and no check stops it, so
 * that a blocked flow can be looked at): each needed flow with what each layer says, who may reach
 * whom through which layers, and the findings the synth's connectivity check would fail on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeConnectivity } from '../connectivity/analyze';
import { connectivityJson, connectivityText } from '../connectivity/report';
import { buildModels } from '../synth/pipeline';
import { synthEnvironment, withAreaFlows } from '../synth/synth-environment';
import { Options } from './args';
import { CommandIo } from './command';
import { loadValidOverlays } from './synth-command';

/** `connectivity`: exit 0 when every needed flow is allowed and nothing else is, 1 otherwise. */
export function runConnectivity(opts: Options, { ctx, log }: CommandIo): number {
  const { overlays } = loadValidOverlays(opts.overlays, ctx, opts.env);
  const [declared] = buildModels(overlays, ctx.platformVersion);
  const objects = synthEnvironment(declared).flatMap((c) => c.objects);
  const report = analyzeConnectivity(withAreaFlows(declared), objects);
  ctx.stdout(connectivityText(report));
  if (opts.report !== undefined) {
    const file = path.resolve(ctx.cwd, opts.report);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, connectivityJson(report));
    log(`wrote ${path.relative(ctx.cwd, file)}`);
  }
  return report.findings.length > 0 ? 1 : 0;
}
