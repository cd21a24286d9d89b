/**
 * The diff of every environment as people read it: text for a terminal (a summary of each
 * environment, then the YAML diff of each changed object and file), or Markdown for a pull-request
 * comment (a table per environment, diffs in ```diff fences, long ones collapsed).
 */
import { ChangedFile, ChangedObject, EnvironmentDiff, hasDifferences, lineCounts } from './tree-diff';

/** One environment's diff and what it was compared with. */
export interface EnvironmentReport {
  readonly diff: EnvironmentDiff;
  /** The commit compared with, as given: `dist`, `HEAD`. */
  readonly ref: string;
  /** The old side, as shown: `HEAD:dist/dev/`, `dist:environments/dev/`. */
  readonly against: string;
}

/** Colors for a terminal; each defaults to none. */
export interface Painter {
  readonly added?: (text: string) => string;
  readonly removed?: (text: string) => string;
  readonly header?: (text: string) => string;
}

interface Section {
  readonly title: string;
  /** `---`/`+++` lines, then hunks. */
  readonly lines: readonly string[];
  readonly counts: string;
}

/** The YAML diffs of an environment, objects first, in output order. */
function sections(d: EnvironmentDiff): Section[] {
  const of = (title: string, before: string | undefined, after: string | undefined, hunks: readonly string[]): Section => ({
    title,
    lines: [`--- ${before}`, `+++ ${after}`, ...hunks],
    counts: linesChanged(hunks),
  });
  return [
    ...d.changed.map((c: ChangedObject) => of(c.ref, c.before, c.after, c.hunks)),
    // An added or removed file is listed, as an added or removed object is: only changes have diffs.
    ...d.files.filter((f) => f.status === 'changed').map((f: ChangedFile) => of(`file ${f.rel}`, f.before, f.after, f.hunks)),
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countsOf(d: EnvironmentDiff): string {
  const parts = [`${d.added.length} added`, `${d.removed.length} removed`, `${d.changed.length} changed`];
  for (const status of ['added', 'removed', 'changed'] as const) {
    const n = d.files.filter((f) => f.status === status).length;
    if (n > 0) parts.push(`${plural(n, 'file')} ${status}`);
  }
  return parts.join(', ');
}

/** `+3 -1`: the lines a diff adds and removes. */
function linesChanged(hunks: readonly string[]): string {
  const { added, removed } = lineCounts(hunks);
  return `+${added} -${removed}`;
}

/** Every row of an environment's summary: what happened, to what, and how much for a change. */
function rows(d: EnvironmentDiff): { change: string; what: string; lines?: string }[] {
  return [
    ...d.added.map((o) => ({ change: 'added', what: o.ref })),
    ...d.removed.map((o) => ({ change: 'removed', what: o.ref })),
    ...d.changed.map((o) => ({ change: 'changed', what: o.ref, lines: linesChanged(o.hunks) })),
    ...d.files.map((f) => ({ change: f.status, what: `file ${f.rel}`, lines: f.status === 'changed' ? linesChanged(f.hunks) : undefined })),
  ];
}

/** The text report: each environment's summary, then every diff. */
export function renderText(reports: readonly EnvironmentReport[], paint: Painter = {}): string {
  const header = paint.header ?? ((t: string) => t);
  const out: string[] = [];
  for (const { diff: d, against } of reports) {
    if (!hasDifferences(d)) {
      out.push(`${header(d.environment)}: no differences (against ${against})`);
      continue;
    }
    out.push(`${header(d.environment)}: ${countsOf(d)} (against ${against})`);
    for (const r of rows(d)) out.push(`  ${r.change.padEnd(8)} ${r.what}${r.lines === undefined ? '' : ` (${r.lines})`}`);
  }
  for (const { diff: d } of reports) {
    for (const s of sections(d)) {
      out.push('', header(`diff ${d.environment} ${s.title}`));
      for (const line of s.lines) {
        const color = line.startsWith('@@') || line.startsWith('---') || line.startsWith('+++')
          ? header
          : line.startsWith('+') ? paint.added : line.startsWith('-') ? paint.removed : undefined;
        out.push(color ? color(line) : line);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

export interface MarkdownOptions {
  /** Diffs longer than this many lines are collapsed in a <details> block. @default 25 */
  readonly collapseAbove?: number;
  /**
   * The most characters the comment may have: diffs that would pass it are left out (with a note).
   * @default 60000 (GitHub refuses comments over 65,536 characters)
   */
  readonly maxLength?: number;
}

/** The Markdown report, ready to post as a pull-request comment. */
export function renderMarkdown(reports: readonly EnvironmentReport[], options: MarkdownOptions = {}): string {
  const collapseAbove = options.collapseAbove ?? 25;
  const maxLength = options.maxLength ?? 60_000;
  const refs = [...new Set(reports.map((r) => r.ref))];
  const differing = reports.filter((r) => hasDifferences(r.diff)).length;
  const verdict = differing === 0
    ? 'no environment differs'
    : `${plural(differing, 'environment')} of ${reports.length} differ${differing === 1 ? 's' : ''}`;
  const head = [
    '## Bulwark diff',
    '',
    `What a synth of this change renders, against ${refs.map((ref) => `\`${ref}\``).join(', ') || 'nothing'}: ${verdict}.`,
    '',
    '| environment | added | removed | changed | files changed |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...reports.map(({ diff: d }) => `| ${d.environment} | ${d.added.length} | ${d.removed.length} | ${d.changed.length} | ${d.files.length} |`),
  ];
  // Tables first, so that they all fit; then the diffs, while they fit.
  const summaries = reports.map(({ diff: d, against: a }) => {
    if (!hasDifferences(d)) return [`### ${d.environment}: no differences`];
    return [
      `### ${d.environment}: ${countsOf(d)}`,
      '',
      `Against \`${a}\`.`,
      '',
      '| change | object | lines |',
      '| --- | --- | ---: |',
      ...rows(d).map((r) => `| ${r.change} | \`${r.what}\` | ${r.lines ?? ''} |`),
    ];
  });
  let length = [...head, ...summaries.flat()].join('\n').length;
  const left: string[] = [];
  const diffs = reports.map(({ diff: d }) => sections(d).flatMap((s) => {
    const block = markdownDiff(s, collapseAbove);
    length += block.join('\n').length + 2;
    if (length <= maxLength) return ['', ...block];
    left.push(`${d.environment} ${s.title}`);
    return [];
  }));
  const note = left.length === 0 ? [] : [
    '',
    `${plural(left.length, 'diff')} left out, or the comment would pass GitHub's limit: ${left.map((t) => `\`${t}\``).join(', ')}. `
      + 'Run `make diff` to see them.',
  ];
  const body = reports.flatMap((_, i) => ['', ...summaries[i], ...diffs[i]]);
  return `${[...head, ...body, ...note].join('\n')}\n`;
}

/** One diff in a ```diff fence (longer than any backtick run inside), collapsed when long. */
function markdownDiff(s: Section, collapseAbove: number): string[] {
  const longestRun = Math.max(0, ...s.lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const code = [`${fence}diff`, ...s.lines, fence];
  const title = `\`${s.title}\` (${s.counts})`;
  if (s.lines.length <= collapseAbove) return [`**${title}**`, '', ...code];
  return [`<details><summary><code>${escapeHtml(s.title)}</code> (${s.counts})</summary>`, '', ...code, '', '</details>'];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
