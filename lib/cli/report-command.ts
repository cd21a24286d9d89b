/**
 * `bulwark report [--env <name>]` (make report): the compliance report of each environment, from
 * its objects synthesized in memory, judged by every check (both profiles) with the overlay's
 * waivers, and its connectivity: `<out>/<env>/report/compliance.{md,json,html}`. A report is
 * not a cluster object: never packaged or applied; a synth keeps it while its environment's files
 * are unchanged, and removes it as stale otherwise.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_CHECKS, runChecks } from '../checks';
import { applyWaivers, today } from '../checks/waivers';
import { analyzeConnectivity } from '../connectivity/analyze';
import { OUTPUT_FOLDERS } from '../manifest/output-kind';
import { complianceReport } from '../report/compliance';
import { complianceHtml, complianceMarkdown } from '../report/render';
import { buildModels } from '../synth/pipeline';
import { synthEnvironment, withAreaFlows } from '../synth/synth-environment';
import { Options } from './args';
import { CommandIo } from './command';
import { loadValidOverlays } from './synth-command';

/** `report`: exit 0 when every environment has no unwaived error, 1 otherwise (the reports are written either way). */
export function runReport(opts: Options, { ctx, log }: CommandIo): number {
  const { overlays } = loadValidOverlays(opts.overlays, ctx, opts.env);
  let failing = 0;
  for (const model of buildModels(overlays, ctx.platformVersion)) {
    const objects = synthEnvironment(model).flatMap((c) => c.objects);
    const connectivity = analyzeConnectivity(withAreaFlows(model), objects);
    const found = [...runChecks(ALL_CHECKS, objects), ...connectivity.findings];
    const { findings, waived } = applyWaivers(found, model.waivers, today(ctx.epochMs?.()));
    const report = complianceReport({
      environment: model.environment,
      platformVersion: ctx.platformVersion,
      objects,
      checks: ALL_CHECKS,
      findings,
      waived,
      waivers: model.waivers,
      connectivity,
    });
    const dir = path.resolve(ctx.cwd, opts.out, model.environment, OUTPUT_FOLDERS.report);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'compliance.json'), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, 'compliance.md'), complianceMarkdown(report));
    fs.writeFileSync(path.join(dir, 'compliance.html'), complianceHtml(report));
    const s = report.summary;
    if (s.errors > 0) failing++;
    log(`${model.environment}: ${s.errors} errors, ${s.warnings} warnings, ${s.waived} waived; `
      + `controls ${s.controls.pass} pass, ${s.controls.fail} fail, ${s.controls.waived} waived, ${s.controls['not-judged']} not judged `
      + `-> ${path.relative(ctx.cwd, dir)}/compliance.{md,json,html}`);
  }
  return failing > 0 ? 1 : 0;
}
