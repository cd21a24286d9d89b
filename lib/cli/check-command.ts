/**
 * `bulwark check <files|dirs|->`: the synth's checks over any Kubernetes manifests (Helm output,
 * a tenant's YAML, dist/), the way kube-linter or kube-score judge them, with each finding's file
 * and line. Cross-object checks (a Service selecting no pod, a pod no NetworkPolicy selects) see
 * every object of every file given.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_CHECKS, checksOf, Finding, runChecksIndexed } from '../checks';
import { CheckFormat, CheckRun, FORMATTERS } from '../checks/formats';
import { lineFinder, manifestFiles, objectsOfText, SkippedDocument, SourcedObject } from '../checks/manifest-files';
import { applyWaivers, today, Waiver } from '../checks/waivers';
import { parseWaiverFile } from '../config/load-overlay';
import { byCodePoint } from '../util/order';
import { Options, UsageError } from './args';
import { CommandIo } from './command';
import { CliContext } from './context';

/** `check`: exit 1 when an error finding is left once the waivers apply, 0 otherwise. */
export function runCheck(opts: Options, { ctx }: CommandIo): number {
  const files = manifestFiles(opts.args, ctx.cwd);
  const texts = new Map<string, string>();
  const sourced: SourcedObject[] = [];
  const skipped: SkippedDocument[] = [];
  for (const file of files) {
    const text = file === '-' ? stdinOf(ctx) : fs.readFileSync(path.resolve(ctx.cwd, file), 'utf8');
    texts.set(file, text);
    for (const o of objectsOfText(text, file, skipped)) sourced.push(o);
  }
  const checks = checksOf(ALL_CHECKS, opts.profile);
  const located = runChecksIndexed(checks, sourced.map((s) => s.object));
  // Lines only for the files that have findings: most files of a compliant tree are never parsed twice.
  const finders = new Map<string, ReturnType<typeof lineFinder>>();
  const findings: Finding[] = located.map(({ index, ...f }) => {
    const s = sourced[index];
    let find = finders.get(s.file);
    if (!find) finders.set(s.file, (find = lineFinder(texts.get(s.file)!)));
    const full = [s.prefix, f.path ?? ''].filter((p) => p !== '').join('.');
    return { ...f, file: s.file, line: find(s.document, full) };
  });
  const waivers: Waiver[] = opts.waivers === undefined ? [] : readWaivers(ctx, opts.waivers);
  const outcome = applyWaivers(findings, waivers, today(ctx.epochMs?.()));
  const run: CheckRun = {
    tool: { name: 'bulwark', version: ctx.platformVersion },
    profile: opts.profile,
    checks,
    files: files.length,
    objects: sourced.length,
    skipped: [...new Set(skipped.map((s) => s.kind))].sort(byCodePoint)
      .map((kind) => ({ kind, count: skipped.filter((s) => s.kind === kind).length })),
    findings: [...outcome.findings].sort(byPlace),
    waived: [...outcome.waived].sort((a, b) => byPlace(a.finding, b.finding)),
  };
  ctx.stdout(FORMATTERS[opts.format as CheckFormat](run));
  return run.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

function stdinOf(ctx: CliContext): string {
  if (!ctx.readStdin) throw new UsageError('check -: this context has no standard input');
  return ctx.readStdin();
}

function readWaivers(ctx: CliContext, file: string): Waiver[] {
  const text = fs.readFileSync(path.resolve(ctx.cwd, file), 'utf8');
  return parseWaiverFile(file, text);
}

/** By file, line, check, object, message: the order of every format. */
function byPlace(a: Finding, b: Finding): number {
  return byCodePoint(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || byCodePoint(a.check, b.check)
    || byCodePoint(a.object, b.object) || byCodePoint(a.message, b.message);
}
