/**
 * How a check run is written: text for a terminal, JSON (schema `bulwark.dev/check/v1`, documented
 * in the README), SARIF 2.1.0 for GitHub code scanning, JUnit XML for CI test reports. Each is a
 * pure function of the run, so the same input gives the same bytes.
 */
import { Check, Finding, Profile } from './check';
import { CONTROLS, ControlId } from './controls';
import { WaivedFinding } from './waivers';

export type CheckFormat = 'text' | 'json' | 'sarif' | 'junit';
export const CHECK_FORMATS: readonly CheckFormat[] = ['text', 'json', 'sarif', 'junit'];

/** What one `bulwark check` judged and found. */
export interface CheckRun {
  readonly tool: { readonly name: string; readonly version: string };
  readonly profile: Profile;
  /** The checks that ran, in report order. */
  readonly checks: readonly Check[];
  readonly files: number;
  readonly objects: number;
  /** Documents that are not cluster objects (a Kustomization, an audit Policy), by kind: not judged. */
  readonly skipped: readonly { readonly kind: string; readonly count: number }[];
  /** The findings no waiver covers (expired and unused waivers included), sorted by file, line, check. */
  readonly findings: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
}

export const JSON_SCHEMA_ID = 'bulwark.dev/check/v1';

const count = (findings: readonly Finding[], severity: Finding['severity']): number => findings.filter((f) => f.severity === severity).length;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The last line of every format's text form: what was judged and what came out. */
export function summaryLine(run: CheckRun): string {
  const skipped = run.skipped.length === 0 ? ''
    : ` (not judged: ${run.skipped.map((s) => `${s.count} ${s.kind}`).join(', ')}, which are no cluster objects)`;
  return `${plural(run.objects, 'object')} in ${plural(run.files, 'file')}${skipped}, `
    + `${plural(run.checks.length, 'check')} (profile ${run.profile}): `
    + `${plural(count(run.findings, 'error'), 'error')}, ${plural(count(run.findings, 'warning'), 'warning')}, ${run.waived.length} waived`;
}

function place(f: Finding): string {
  return f.file === undefined ? '' : `${f.file}${f.line === undefined ? '' : `:${f.line}`}: `;
}

export function textReport(run: CheckRun): string {
  const lines = run.findings.map((f) => `${place(f)}${f.severity}: ${f.check}: ${f.object}: ${f.message}${f.path ? ` (${f.path})` : ''}`);
  for (const { finding, waiver } of run.waived) {
    lines.push(`${place(finding)}waived: ${finding.check}: ${finding.object}: ${finding.message} (until ${waiver.expires}: ${waiver.reason})`);
  }
  lines.push(summaryLine(run));
  return `${lines.join('\n')}\n`;
}

function controlsOf(check: Check | undefined): { id: ControlId; framework: string; ref: string; title: string }[] {
  return (check?.controls ?? []).map((id) => ({ id, ...CONTROLS[id] }));
}

export function jsonReport(run: CheckRun): string {
  const byId = new Map(run.checks.map((c) => [c.id, c]));
  const finding = (f: Finding) => ({
    check: f.check,
    severity: f.severity,
    object: f.object,
    message: f.message,
    ...(f.path !== undefined ? { path: f.path } : {}),
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.line !== undefined ? { line: f.line } : {}),
    controls: (byId.get(f.check)?.controls ?? []).slice(),
    ...(byId.get(f.check) ? { remediation: byId.get(f.check)!.remediation } : {}),
  });
  const doc = {
    schema: JSON_SCHEMA_ID,
    tool: run.tool,
    profile: run.profile,
    summary: {
      files: run.files,
      objects: run.objects,
      skipped: run.skipped,
      checks: run.checks.length,
      errors: count(run.findings, 'error'),
      warnings: count(run.findings, 'warning'),
      waived: run.waived.length,
    },
    findings: run.findings.map(finding),
    waived: run.waived.map(({ finding: f, waiver }) => ({
      ...finding(f),
      waiver: {
        check: waiver.check,
        object: waiver.object,
        reason: waiver.reason,
        expires: waiver.expires,
        ...(waiver.source ? { source: waiver.source } : {}),
      },
    })),
    checks: run.checks.map((c) => ({ id: c.id, title: c.title, severity: c.severity, profile: c.profile, controls: controlsOf(c) })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const SARIF_LEVEL: Readonly<Record<Finding['severity'], string>> = { error: 'error', warning: 'warning' };

export function sarifReport(run: CheckRun): string {
  const ids = run.checks.map((c) => c.id);
  const rules = run.checks.map((c) => ({
    id: c.id,
    name: c.title,
    shortDescription: { text: c.title },
    fullDescription: { text: c.description },
    help: { text: c.remediation },
    defaultConfiguration: { level: SARIF_LEVEL[c.severity] },
    properties: { tags: ['security', ...c.controls], profile: c.profile },
  }));
  const result = (f: Finding, suppression?: WaivedFinding['waiver']) => ({
    ruleId: f.check,
    ...(ids.includes(f.check) ? { ruleIndex: ids.indexOf(f.check) } : {}),
    level: SARIF_LEVEL[f.severity],
    message: { text: `${f.object}: ${f.message}` },
    locations: f.file === undefined || f.file === '-' ? [] : [{
      physicalLocation: {
        artifactLocation: { uri: f.file.split('\\').join('/') },
        region: { startLine: f.line ?? 1 },
      },
      logicalLocations: [{ fullyQualifiedName: f.object, kind: 'resource' }],
    }],
    ...(f.path !== undefined ? { properties: { path: f.path } } : {}),
    ...(suppression ? { suppressions: [{ kind: 'external', justification: `${suppression.reason} (until ${suppression.expires})` }] } : {}),
  });
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: run.tool.name, version: run.tool.version, informationUri: 'https://github.com/bulwark-platform/bulwark', rules } },
      results: [...run.findings.map((f) => result(f)), ...run.waived.map(({ finding, waiver }) => result(finding, waiver))],
    }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);

const messagesOf = (findings: readonly Finding[], severity: Finding['severity']): string =>
  findings.filter((f) => f.severity === severity).map((f) => f.message).join('\n');

/** One test case per check: it fails with the list of its error findings; warnings are its system-out. */
export function junitReport(run: CheckRun): string {
  const cases = run.checks.map((c) => {
    const mine = run.findings.filter((f) => f.check === c.id);
    const errors = mine.filter((f) => f.severity === 'error');
    const warnings = mine.filter((f) => f.severity === 'warning');
    const line = (f: Finding): string => `${place(f)}${f.object}: ${f.message}`;
    const body = [
      ...(errors.length > 0
        ? [`      <failure message="${xml(plural(errors.length, 'finding'))}" type="${c.severity}">${xml(errors.map(line).join('\n'))}</failure>`]
        : []),
      ...(warnings.length > 0 ? [`      <system-out>${xml(warnings.map(line).join('\n'))}</system-out>`] : []),
    ];
    const open = `    <testcase classname="bulwark.${run.profile}" name="${xml(`${c.id}: ${c.title}`)}"`;
    return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
  });
  const failures = run.checks.filter((c) => run.findings.some((f) => f.check === c.id && f.severity === 'error')).length;
  const other = run.findings.filter((f) => !run.checks.some((c) => c.id === f.check));
  const extra = other.length === 0 ? [] : [
    `    <testcase classname="bulwark.${run.profile}" name="waivers">`,
    ...(other.some((f) => f.severity === 'error')
      ? [`      <failure message="expired waivers" type="error">${xml(messagesOf(other, 'error'))}</failure>`]
      : []),
    ...(other.some((f) => f.severity === 'warning')
      ? [`      <system-out>${xml(messagesOf(other, 'warning'))}</system-out>`] : []),
    '    </testcase>',
  ];
  const tests = run.checks.length + (extra.length > 0 ? 1 : 0);
  const failed = failures + (other.some((f) => f.severity === 'error') ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bulwark check" tests="${tests}" failures="${failed}">`,
    `  <testsuite name="bulwark check (profile ${run.profile})" tests="${tests}" failures="${failed}" errors="0" skipped="0">`,
    ...cases,
    ...extra,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const FORMATTERS: Readonly<Record<CheckFormat, (run: CheckRun) => string>> = {
  text: textReport,
  json: jsonReport,
  sarif: sarifReport,
  junit: junitReport,
};
