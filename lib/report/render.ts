/**
 * The compliance report as people read it: `compliance.md` (for a pull request or the dist
 * branch) and `compliance.html`, self-contained (inline CSS, the network drawn as an inline SVG
 * generated here), with the same sections: summary, control matrix, checks, findings, RBAC
 * matrix, network, policy inventory, waivers.
 */
import { ComplianceReport, ControlStatus } from './compliance';

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ['(none)'];
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(md).join(' | ')} |`)];
}

const STATUS_LABEL: Readonly<Record<ControlStatus, string>> = { pass: 'pass', fail: 'FAIL', waived: 'waived', 'not-judged': 'not judged' };

/** A table section both renderings show: its title, its element id, its columns and its rows. */
interface Section {
  readonly title: string;
  readonly id: string;
  readonly header: readonly string[];
  readonly rows: (r: ComplianceReport) => readonly (readonly string[])[];
}

const CHECKS: Section = {
  title: 'Checks',
  id: 'checks',
  header: ['check', 'profile', 'severity', 'objects judged', 'findings', 'waived'],
  rows: (r) => r.checks.map((c) => [c.id, c.profile, c.severity, String(c.judged), String(c.findings), String(c.waived)]),
};
const FINDINGS: Section = {
  title: 'Findings',
  id: 'findings',
  header: ['severity', 'check', 'object', 'message'],
  rows: (r) => r.findings.map((f) => [f.severity, f.check, f.object, f.message]),
};
const RBAC: Section = {
  title: 'RBAC matrix',
  id: 'rbac',
  header: ['subject', 'namespace', 'resource', 'verbs', 'through'],
  rows: (r) => r.rbac.map((x) => [x.subject, x.namespace, x.resource, x.verbs.join(', '), `${x.binding} → ${x.role}`]),
};
const FLOWS: Section = {
  title: 'Network',
  id: 'flows',
  header: ['from', 'to', 'allowed (every layer)', 'needed by'],
  rows: (r) => r.network.flows.map((f) => [f.from, f.to, f.effective, f.neededBy.join('; ') || 'nothing']),
};
const POLICIES: Section = {
  title: 'Policy inventory',
  id: 'policies',
  header: ['kind', 'name', 'enforces', 'action'],
  rows: (r) => r.policies.map((p) => [p.kind, p.name, p.enforces, p.action]),
};
const WAIVERS: Section = {
  title: 'Waivers',
  id: 'waivers',
  header: ['check', 'objects', 'reason', 'expires', 'covers'],
  rows: (r) => r.waivers.map((w) => [w.check, w.object, w.reason, w.expires, w.covers.join('; ') || 'nothing']),
};

/** The control matrix of one framework: control, status, evidence. */
function controlRows(r: ComplianceReport, framework: string): { status: ControlStatus; cells: [string, string] }[] {
  return r.controls.filter((c) => c.framework === framework).map((c) => ({
    status: c.status,
    cells: [
      c.ref === c.title ? c.title : `${c.ref} ${c.title}`,
      c.checks.length === 0 ? 'no check judges it from manifests' : `${c.checks.join(', ')}: ${c.findings} findings, ${c.waived} waived`,
    ],
  }));
}

function summaryText(r: ComplianceReport): string {
  const s = r.summary;
  return `Bulwark ${r.platformVersion}. ${s.objects} objects judged by ${s.checks} checks: ${s.errors} errors, ${s.warnings} warnings, `
    + `${s.waived} waived findings. Controls: ${s.controls.pass} pass, ${s.controls.fail} fail, ${s.controls.waived} waived, `
    + `${s.controls['not-judged']} not judged from manifests.`;
}

function networkText(r: ComplianceReport): string {
  return `${r.network.workloads.length} workloads, ${r.network.flows.length} allowed flows (through every layer), `
    + `${r.network.needs.length} needed flows (${r.network.needs.filter((n) => n.verdict !== 'allow').length} blocked).`;
}

export function complianceMarkdown(r: ComplianceReport): string {
  const section = (x: Section, intro: string[] = []): string[] => [`## ${x.title}`, '', ...intro, ...mdTable(x.header, x.rows(r)), ''];
  const lines = [
    `# Compliance report: ${r.environment}`,
    '',
    summaryText(r),
    '',
    '## Control matrix',
    '',
    ...r.frameworks.flatMap((f) => [
      `### ${f.title}`,
      '',
      ...mdTable(['control', 'status', 'evidence'], controlRows(r, f.id).map((c) => [c.cells[0], STATUS_LABEL[c.status], c.cells[1]])),
      '',
    ]),
    ...section(CHECKS),
    ...section(FINDINGS),
    ...section(RBAC),
    ...section(FLOWS, [`${networkText(r)} compliance.html draws them.`, '']),
    ...section(POLICIES),
    ...section(WAIVERS),
  ];
  return `${lines.join('\n')}`;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const h = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c]);

function htmlTable(id: string, header: readonly string[], rows: readonly (readonly string[])[], raw = false): string {
  if (rows.length === 0) return `<p id="${id}">(none)</p>`;
  const cell = (c: string): string => (raw ? c : h(c));
  return `<table id="${id}"><thead><tr>${header.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>\n`
    + `${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

/** The party's column: the namespace of `ns/name[Kind]`, else `outside` (hosts, addresses). */
function columnOf(party: string): string {
  const slash = party.indexOf('/');
  return slash > 0 && !party.includes(':') && !/^[0-9]/.test(party) ? party.slice(0, slash) : 'outside';
}

/**
 * The network as an SVG: one column per namespace (and one for what is outside the cluster), a
 * box per workload or party, an arrow per allowed flow.
 */
export function networkSvg(r: ComplianceReport): string {
  const parties = [...new Set([...r.network.workloads, ...r.network.flows.flatMap((f) => [f.from, f.to])])].sort();
  const columns = [...new Set(parties.map(columnOf))].sort((a, b) => (a === 'outside' ? 1 : b === 'outside' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const [boxW, boxH, gapX, gapY, top, left] = [230, 26, 120, 12, 40, 20];
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((col, i) => {
    parties.filter((p) => columnOf(p) === col).forEach((p, j) => position.set(p, { x: left + i * (boxW + gapX), y: top + j * (boxH + gapY) }));
  });
  const rows = Math.max(1, ...columns.map((c) => parties.filter((p) => columnOf(p) === c).length));
  const width = left * 2 + columns.length * boxW + Math.max(0, columns.length - 1) * gapX;
  const height = top + rows * (boxH + gapY) + 20;
  const label = (p: string): string => (p.length > 34 ? `${p.slice(0, 33)}…` : p);
  const edges = r.network.flows.map((f) => {
    const a = position.get(f.from)!;
    const b = position.get(f.to)!;
    const [x1, y1] = a.x <= b.x ? [a.x + boxW, a.y + boxH / 2] : [a.x, a.y + boxH / 2];
    const [x2, y2] = a.x < b.x ? [b.x, b.y + boxH / 2] : a.x === b.x ? [b.x, b.y + boxH / 2] : [b.x + boxW, b.y + boxH / 2];
    const bend = a.x === b.x ? -60 : 0;
    const path = `M${x1},${y1} C${x1 + (x2 >= x1 ? 40 : -40) + bend},${y1} ${x2 + (x2 >= x1 ? -40 : 40) + bend},${y2} ${x2},${y2}`;
    return `<path class="flow" d="${path}"><title>${h(`${f.from} → ${f.to}: ${f.effective}`)}</title></path>`;
  });
  const boxes = parties.map((p) => {
    const { x, y } = position.get(p)!;
    const kind = r.network.workloads.includes(p) ? 'workload' : 'party';
    return `<g class="${kind}"><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="4"/>`
      + `<text x="${x + 8}" y="${y + 17}">${h(label(p))}</text><title>${h(p)}</title></g>`;
  });
  const heads = columns.map((c, i) => `<text class="column" x="${left + i * (boxW + gapX)}" y="24">${h(c)}</text>`);
  return [
    `<svg id="network" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="who may reach whom">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
      + '<path d="M0,0 L10,5 L0,10 z" fill="#0969da"/></marker></defs>',
    ...heads,
    ...edges,
    ...boxes,
    '</svg>',
  ].join('\n');
}

const CSS = `body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:24px}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #d0d7de}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.status{font-weight:600;padding:2px 10px;border-radius:10px;color:#fff;display:inline-block;min-width:70px;text-align:center}
.pass{background:#1a7f37}.fail{background:#cf222e}.waived{background:#9a6700}.not-judged{background:#6e7781}
svg .flow{fill:none;stroke:#0969da;stroke-width:2;marker-end:url(#arrow);opacity:.8}
svg .workload rect{fill:#ddf4ff;stroke:#0969da;stroke-width:1.5}svg .party rect{fill:#fff8c5;stroke:#9a6700;stroke-width:1.5}
svg text{font:12px system-ui,sans-serif}svg .column{font-weight:600;font-size:13px}`;

export function complianceHtml(r: ComplianceReport): string {
  const badge = (status: ControlStatus): string => `<span class="status ${status}">${STATUS_LABEL[status]}</span>`;
  const matrix = r.frameworks.map((f) => `<h3>${h(f.title)}</h3>\n${htmlTable(`controls-${f.id}`, ['control', 'status', 'evidence'],
    controlRows(r, f.id).map((c) => [h(c.cells[0]), badge(c.status), h(c.cells[1])]), true)}`).join('\n');
  const section = (x: Section, between = ''): string => `<h2>${h(x.title)}</h2>\n${between}${htmlTable(x.id, x.header, x.rows(r))}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Compliance report: ${h(r.environment)}</title><style>${CSS}</style></head>
<body>
<h1>Compliance report: ${h(r.environment)}</h1>
<p id="summary">${h(summaryText(r))}</p>
<h2>Control matrix</h2>
${matrix}
${section(CHECKS)}
${section(FINDINGS)}
${section(RBAC)}
${section(FLOWS, `<p>${h(networkText(r))} Arrows: allowed flows.</p>\n${networkSvg(r)}\n`)}
${section(POLICIES)}
${section(WAIVERS)}
</body></html>
`;
}
