import { formatFinding } from '../checks/check';
import { ConnectivityReport } from './analyze';
import { LAYERS } from './needs-verdict';

/** How many of what the report holds: the matrix size, for the summary line and the closing notes. */
export function reportCounts(r: ConnectivityReport): ReportCounts {
  return {
    workloads: r.workloads.length,
    flows: r.flows.length,
    needs: r.needs.length,
    blocked: r.needs.filter((n) => n.blocked).length,
    findings: r.findings.length,
  };
}

export interface ReportCounts {
  readonly workloads: number;
  /** Rows of the matrix: pairs with some connection allowed. */
  readonly flows: number;
  readonly needs: number;
  /** Needs blocked at some layer. */
  readonly blocked: number;
  readonly findings: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Rows as columns padded to their widest cell (the last column is not padded). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * The matrix as text, for `bulwark connectivity`: a summary line, each needed flow with what each
 * layer says (the objects that allow it, or why it is blocked), who may reach whom through which
 * layers, and the findings.
 */
export function connectivityText(r: ConnectivityReport): string {
  const c = reportCounts(r);
  const lines = [
    `${r.environment}: ${plural(c.workloads, 'workload')}, ${plural(c.flows, 'flow')} allowed, ${plural(c.needs, 'needed flow')} `
      + `(${c.blocked} blocked), ${plural(c.findings, 'finding')}`,
    '',
    'needed flows (each layer: allow, deny, or n/a where no object of the environment governs it):',
    ...table(
      ['RULE', 'FROM', 'TO', 'PORTS', ...LAYERS, 'REASON'],
      r.needs.map((n) => [n.rule, n.from, n.to, n.ports, ...LAYERS.map((l) => n.layers[l].verdict), n.reason]),
    ).map((l) => `  ${l}`),
    '',
    'who may reach whom (what each layer lets through; n/a: not governed there):',
    ...table(
      ['FROM', 'TO', ...LAYERS, 'EFFECTIVE', 'NEEDED BY'],
      r.flows.map((f) => [
        f.from,
        f.to,
        ...LAYERS.map((l) => f.layers[l]),
        f.effective,
        f.unexplained ? `NOTHING for ${f.unexplained}` : f.neededBy.join('; '),
      ]),
    ).map((l) => `  ${l}`),
  ];
  const blocked = r.needs.filter((n) => n.blocked);
  if (blocked.length > 0) {
    lines.push('', 'blocked:');
    for (const n of blocked) {
      for (const l of LAYERS) if (n.layers[l].verdict === 'deny') lines.push(`  ${n.rule}: ${n.from} -> ${n.to} at ${l}: ${n.layers[l].detail}`);
    }
  }
  if (r.findings.length > 0) lines.push('', 'findings:', ...r.findings.map((f) => `  ${formatFinding(f)}`));
  return `${lines.join('\n')}\n`;
}

/** The matrix as JSON, for the compliance report: every need with each layer's verdict and detail, every flow, every finding. */
export function connectivityJson(r: ConnectivityReport): string {
  return `${JSON.stringify({ ...r, counts: reportCounts(r) }, null, 2)}\n`;
}
