/**
 * The compliance report of one environment, as data (`compliance.json`, schema
 * `bulwark.dev/compliance/v1`): the control matrix (each control of lib/checks/controls.ts with
 * its status and evidence), every check with what it judged, the RBAC matrix from the Roles and
 * their bindings, the network picture from the connectivity model, the policy inventory (the
 * Gatekeeper rules, admission policies and Falco rules the environment ships) and the waivers.
 * Plain data from plain objects, sorted, so the same environment gives the same bytes.
 */
import { Check, Finding } from '../checks/check';
import { CONTROLS, ControlId, Framework, FRAMEWORK_TITLES } from '../checks/controls';
import { WaivedFinding } from '../checks/waivers';
import { ConnectivityReport } from '../connectivity/analyze';
import { KubeObject, objectRef } from '../manifest/kube-object';
import { readYamlDocuments } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';

export const COMPLIANCE_SCHEMA = 'bulwark.dev/compliance/v1';

/**
 * `fail`: an error finding no waiver covers; `waived`: findings, every one waived; `pass`: its
 * checks found nothing; `not-judged`: no check maps to it.
 */
export type ControlStatus = 'pass' | 'fail' | 'waived' | 'not-judged';

export interface ControlRow {
  readonly id: ControlId;
  readonly framework: Framework;
  readonly ref: string;
  readonly title: string;
  readonly status: ControlStatus;
  /** The checks that judge it. */
  readonly checks: readonly string[];
  readonly findings: number;
  readonly waived: number;
}

export interface CheckRow {
  readonly id: string;
  readonly title: string;
  readonly profile: string;
  readonly severity: string;
  readonly controls: readonly string[];
  /** Objects of the kinds it inspects. */
  readonly judged: number;
  readonly findings: number;
  readonly waived: number;
}

export interface RbacRow {
  /** `ServiceAccount/ns/name`, `Group/name`, `User/name`. */
  readonly subject: string;
  /** The binding that grants it. */
  readonly binding: string;
  /** The role bound. */
  readonly role: string;
  readonly namespace: string;
  /** `apiGroup/resource` (`resource` for the core group), with resourceNames when the rule names some. */
  readonly resource: string;
  readonly verbs: readonly string[];
}

export interface PolicyRow {
  readonly kind: 'Gatekeeper constraint' | 'ValidatingAdmissionPolicy' | 'Falco rule';
  readonly name: string;
  /** What it enforces or detects. */
  readonly enforces: string;
  /** deny, dryrun, warn, audit; a Falco rule's priority. */
  readonly action: string;
}

export interface NeedRow {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  readonly ports: string;
  readonly verdict: string;
}

export interface ComplianceReport {
  readonly schema: typeof COMPLIANCE_SCHEMA;
  readonly environment: string;
  readonly platformVersion: string;
  readonly summary: {
    readonly objects: number;
    readonly checks: number;
    readonly errors: number;
    readonly warnings: number;
    readonly waived: number;
    readonly controls: Readonly<Record<ControlStatus, number>>;
  };
  readonly frameworks: readonly { readonly id: Framework; readonly title: string }[];
  readonly controls: readonly ControlRow[];
  readonly checks: readonly CheckRow[];
  readonly findings: readonly Finding[];
  readonly rbac: readonly RbacRow[];
  readonly network: {
    readonly workloads: readonly string[];
    /** Each needed flow with its verdict: `allow` when every layer lets it through. */
    readonly needs: readonly NeedRow[];
    /** Who may reach whom, through every layer. */
    readonly flows: readonly { readonly from: string; readonly to: string; readonly effective: string; readonly neededBy: readonly string[] }[];
  };
  readonly policies: readonly PolicyRow[];
  readonly waivers: readonly {
    readonly check: string;
    readonly object: string;
    readonly reason: string;
    readonly expires: string;
    readonly source?: string;
    readonly covers: readonly string[];
  }[];
}

export interface ReportInput {
  readonly environment: string;
  readonly platformVersion: string;
  readonly objects: readonly KubeObject[];
  readonly checks: readonly Check[];
  /** The findings left once the waivers apply. */
  readonly findings: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
  readonly waivers: readonly { check: string; object: string; reason: string; expires: string; source?: string }[];
  readonly connectivity: ConnectivityReport;
}

const countBy = (findings: readonly { check: string }[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.check, (m.get(f.check) ?? 0) + 1);
  return m;
};

export function complianceReport(input: ReportInput): ComplianceReport {
  const errors = countBy(input.findings.filter((f) => f.severity === 'error'));
  const all = countBy(input.findings);
  const waived = countBy(input.waived.map((w) => w.finding));
  const checks: CheckRow[] = input.checks.map((c) => ({
    id: c.id,
    title: c.title,
    profile: c.profile,
    severity: c.severity,
    controls: [...c.controls],
    judged: c.kinds === undefined ? input.objects.length : input.objects.filter((o) => c.kinds!.has(o.kind)).length,
    findings: all.get(c.id) ?? 0,
    waived: waived.get(c.id) ?? 0,
  }));
  const controls: ControlRow[] = (Object.keys(CONTROLS) as ControlId[]).map((id) => {
    const judging = input.checks.filter((c) => c.controls.includes(id)).map((c) => c.id);
    const findings = judging.reduce((n, c) => n + (all.get(c) ?? 0), 0);
    const failing = judging.some((c) => (errors.get(c) ?? 0) > 0);
    const waivedCount = judging.reduce((n, c) => n + (waived.get(c) ?? 0), 0);
    const status: ControlStatus = judging.length === 0 ? 'not-judged' : failing ? 'fail' : waivedCount > 0 ? 'waived' : 'pass';
    return { id, ...CONTROLS[id], status, checks: judging, findings, waived: waivedCount };
  });
  const statusCount = (s: ControlStatus): number => controls.filter((c) => c.status === s).length;
  return {
    schema: COMPLIANCE_SCHEMA,
    environment: input.environment,
    platformVersion: input.platformVersion,
    summary: {
      objects: input.objects.length,
      checks: input.checks.length,
      errors: input.findings.filter((f) => f.severity === 'error').length,
      warnings: input.findings.filter((f) => f.severity === 'warning').length,
      waived: input.waived.length,
      controls: { pass: statusCount('pass'), fail: statusCount('fail'), waived: statusCount('waived'), 'not-judged': statusCount('not-judged') },
    },
    frameworks: (Object.keys(FRAMEWORK_TITLES) as Framework[]).map((id) => ({ id, title: FRAMEWORK_TITLES[id] })),
    controls,
    checks,
    findings: [...input.findings],
    rbac: rbacMatrix(input.objects),
    network: {
      workloads: [...input.connectivity.workloads],
      needs: input.connectivity.needs.map((n) => ({
        rule: n.rule, from: n.from, to: n.to, ports: n.ports, verdict: n.blocked ? 'blocked' : 'allow',
      })),
      flows: input.connectivity.flows.map((f) => ({ from: f.from, to: f.to, effective: f.effective, neededBy: [...f.neededBy] })),
    },
    policies: policyInventory(input.objects),
    waivers: input.waivers.map((w) => ({
      check: w.check, object: w.object, reason: w.reason, expires: w.expires, ...(w.source ? { source: w.source } : {}),
      covers: input.waived.filter((x) => x.waiver.check === w.check && x.waiver.object === w.object)
        .map((x) => `${x.finding.object}: ${x.finding.message}`),
    })),
  };
}

interface RuleView {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs?: readonly string[];
}

/** Subject × resource × verbs: each rule of each bound role, once per subject of each binding. */
export function rbacMatrix(objects: readonly KubeObject[]): RbacRow[] {
  const roles = new Map<string, KubeObject>();
  for (const o of objects) {
    if (o.kind === 'Role') roles.set(`Role/${o.metadata.namespace}/${o.metadata.name}`, o);
    if (o.kind === 'ClusterRole') roles.set(`ClusterRole/${o.metadata.name}`, o);
  }
  const rows: RbacRow[] = [];
  for (const b of objects) {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue;
    const ref = b.roleRef as { kind: string; name: string };
    const key = ref.kind === 'Role' ? `Role/${b.metadata.namespace}/${ref.name}` : `ClusterRole/${ref.name}`;
    const role = roles.get(key);
    const rules = (role?.rules as readonly RuleView[] | undefined) ?? [];
    for (const s of (b.subjects as readonly { kind: string; name: string; namespace?: string }[] | undefined) ?? []) {
      const subject = s.kind === 'ServiceAccount' ? `ServiceAccount/${s.namespace ?? b.metadata.namespace}/${s.name}` : `${s.kind}/${s.name}`;
      if (role === undefined) {
        const namespace = b.metadata.namespace ?? '*';
        rows.push({ subject, binding: objectRef(b), role: `${key} (not in this environment)`, namespace, resource: '?', verbs: [] });
        continue;
      }
      for (const r of rules) {
        for (const group of r.apiGroups ?? ['']) {
          for (const resource of r.resources ?? []) {
            const names = (r.resourceNames ?? []).length > 0 ? ` [${[...r.resourceNames!].sort().join(', ')}]` : '';
            rows.push({
              subject, binding: objectRef(b), role: key, namespace: b.metadata.namespace ?? '*',
              resource: `${group === '' ? '' : `${group}/`}${resource}${names}`, verbs: [...(r.verbs ?? [])].sort(),
            });
          }
        }
      }
    }
  }
  return rows.sort((a, b) => byCodePoint(a.subject, b.subject) || byCodePoint(a.resource, b.resource) || byCodePoint(a.binding, b.binding));
}

/** The guards the environment ships: its Gatekeeper constraints, admission policies and Falco rules. */
export function policyInventory(objects: readonly KubeObject[]): PolicyRow[] {
  const rows: PolicyRow[] = [];
  const templates = new Map(objects.filter((o) => o.kind === 'ConstraintTemplate')
    .map((t) => [((t.spec as { crd?: { spec?: { names?: { kind?: string } } } }).crd?.spec?.names?.kind) ?? '', t]));
  const bindings = new Map(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding')
    .map((b) => [(b.spec as { policyName?: string }).policyName ?? '', b]));
  for (const o of objects) {
    if (o.apiVersion.startsWith('constraints.gatekeeper.sh/')) {
      const template = templates.get(o.kind);
      rows.push({
        kind: 'Gatekeeper constraint',
        name: `${o.kind}/${o.metadata.name}`,
        enforces: o.metadata.annotations?.description ?? template?.metadata.annotations?.description ?? '',
        action: (o.spec as { enforcementAction?: string } | undefined)?.enforcementAction ?? 'deny',
      });
    } else if (o.kind === 'ValidatingAdmissionPolicy') {
      const actions = (bindings.get(o.metadata.name)?.spec as { validationActions?: string[] } | undefined)?.validationActions ?? [];
      const enforces = o.metadata.annotations?.description ?? '';
      rows.push({ kind: 'ValidatingAdmissionPolicy', name: o.metadata.name, enforces, action: actions.join(', ') || 'unbound' });
    } else if (o.kind === 'ConfigMap' && o.metadata.namespace === 'falco') {
      for (const text of Object.values((o.data as Record<string, string> | undefined) ?? {})) {
        const parsed = readYamlDocuments(text);
        if (!('values' in parsed)) continue;
        for (const doc of parsed.values) {
          for (const item of Array.isArray(doc) ? doc : []) {
            const r = item as { rule?: string; desc?: string; priority?: string };
            if (r.rule) rows.push({ kind: 'Falco rule', name: r.rule, enforces: (r.desc ?? '').trim(), action: (r.priority ?? '').toLowerCase() });
          }
        }
      }
    }
  }
  return rows.sort((a, b) => byCodePoint(a.kind, b.kind) || byCodePoint(a.name, b.name));
}
