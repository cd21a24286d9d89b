/**
 * `bulwark verify --env <env> [--kubeconfig <file>]` (post-deployment verification): a live
 * cluster against dist/<env>, through kubectl. Every object of the environment exists (missing),
 * nothing else carrying the platform's labels lives in its namespaces (extra), each object is as
 * dist/ has it (a server-side dry-run apply diffed with the live object: drifted), the
 * namespaces' Pod Security labels are live, the RBAC of dist/ holds as SubjectAccessReviews (each
 * granted verb allowed, secrets, exec, pod creation and writes denied where nothing grants them),
 * and each workload's rollout status. It writes the deployment report beside the compliance
 * report: `<out>/<env>/report/deployment.{md,json}`; exit 1 when the cluster is not what dist/ says.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isClusterScoped, KubeObject, objectRef } from '../manifest/kube-object';
import { readOutputObjects } from '../manifest/manifest-reader';
import { OUTPUT_FOLDERS } from '../manifest/output-kind';
import { toYaml } from '../manifest/yaml-emitter';
import { Options, UsageError } from './args';
import { CommandIo } from './command';
import { CliContext } from './context';

interface Kubectl {
  (args: readonly string[]): { readonly status: number; readonly stdout: string; readonly stderr: string };
}

function kubectlOf(ctx: CliContext, kubeconfig: string | undefined): Kubectl {
  const bin = ctx.kubectl ?? 'kubectl';
  const base = kubeconfig ? ['--kubeconfig', path.resolve(ctx.cwd, kubeconfig)] : [];
  return (args) => {
    const r = spawnSync(bin, [...base, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
    if (r.error) throw new UsageError(`verify needs kubectl: ${bin}: ${r.error.message}`);
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const versionOf = (apiVersion: string): string => apiVersion.slice(apiVersion.indexOf('/') + 1);
/** What kubectl takes for a kind: `Deployment.apps`, `ConfigMap`. */
const kindArg = (o: KubeObject): string => (groupOf(o.apiVersion) === '' ? o.kind : `${o.kind}.${groupOf(o.apiVersion)}`);
const key = (o: KubeObject): string => `${groupOf(o.apiVersion)}|${objectRef(o)}`;

export interface DeploymentReport {
  readonly schema: 'bulwark.dev/deployment/v1';
  readonly environment: string;
  readonly objects: number;
  readonly missing: readonly { readonly object: string; readonly reason: string }[];
  readonly extra: readonly string[];
  readonly drifted: readonly { readonly object: string; readonly changes: readonly string[] }[];
  readonly podSecurity: readonly { readonly namespace: string; readonly label: string; readonly want: string; readonly live: string }[];
  readonly rbac: { readonly questions: number; readonly unexpected: readonly string[] };
  readonly rollouts: readonly { readonly object: string; readonly ready: string; readonly status: 'ready' | 'not ready' }[];
}

/** Labels that mark an object as the platform's. */
const MANAGED_BY = 'app.kubernetes.io/managed-by';

export function runVerify(opts: Options, { ctx, log }: CommandIo): number {
  const envDir = path.resolve(ctx.cwd, opts.out, opts.env!);
  if (!fs.existsSync(envDir)) throw new UsageError(`no ${path.relative(ctx.cwd, envDir)}: run make synth first`);
  const kubectl = kubectlOf(ctx, opts.kubeconfig);
  const objects = readOutputObjects(envDir).map((o) => o.object);
  const live = new Map<string, KubeObject>();
  const missing: { object: string; reason: string }[] = [];
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name));
  const extra: string[] = [];
  const byKind = new Map<string, KubeObject[]>();
  for (const o of objects) byKind.set(kindArg(o), [...(byKind.get(kindArg(o)) ?? []), o]);
  for (const [kind, ofKind] of [...byKind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const r = kubectl(['get', kind, '--all-namespaces', '-o', 'json']);
    if (r.status !== 0) {
      for (const o of ofKind) missing.push({ object: objectRef(o), reason: `kubectl get ${kind}: ${r.stderr.trim().split('\n')[0]}` });
      continue;
    }
    const items = (JSON.parse(r.stdout) as { items: KubeObject[] }).items.map((i) => ({ ...i, apiVersion: ofKind[0].apiVersion }));
    for (const item of items) live.set(key(item), item);
    const wanted = new Set(ofKind.map(key));
    for (const item of items) {
      const ns = item.metadata.namespace;
      const ours = ns !== undefined && namespaces.has(ns) && item.metadata.labels?.[MANAGED_BY] === 'bulwark';
      if (ours && !wanted.has(key(item))) extra.push(objectRef(item));
    }
    for (const o of ofKind) if (!live.has(key(o))) missing.push({ object: objectRef(o), reason: 'not on the cluster' });
  }
  const present = objects.filter((o) => live.has(key(o)));
  const drifted = drift(kubectl, present);
  const podSecurity = [...namespaces].sort().flatMap((ns) => {
    const want = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)!.metadata.labels ?? {};
    const got = live.get(`|Namespace/${ns}`)?.metadata.labels ?? {};
    return Object.keys(want).filter((l) => l.startsWith('pod-security.kubernetes.io/') && want[l] !== got[l]).sort()
      .map((label) => ({ namespace: ns, label, want: want[label], live: got[label] ?? '(none)' }));
  });
  const rbac = rbacQuestions(kubectl, objects);
  const rollouts = objects.filter((o) => ['Deployment', 'StatefulSet', 'Rollout'].includes(o.kind) && live.has(key(o))).map((o) => {
    const status = (live.get(key(o))!.status ?? {}) as { readyReplicas?: number; replicas?: number };
    const want = (o.spec as { replicas?: number } | undefined)?.replicas ?? status.replicas ?? 1;
    const ready = status.readyReplicas ?? 0;
    return { object: objectRef(o), ready: `${ready}/${want}`, status: ready >= want ? 'ready' as const : 'not ready' as const };
  });
  const report: DeploymentReport = {
    schema: 'bulwark.dev/deployment/v1',
    environment: opts.env!,
    objects: objects.length,
    missing,
    extra: extra.sort(),
    drifted,
    podSecurity,
    rbac,
    rollouts,
  };
  const dir = path.join(envDir, OUTPUT_FOLDERS.report);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'deployment.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'deployment.md'), deploymentMarkdown(report));
  const failed = missing.length + extra.length + drifted.length + podSecurity.length + rbac.unexpected.length;
  const lines = [
    ...missing.map((m) => `missing: ${m.object}: ${m.reason}`),
    ...extra.map((e) => `extra: ${e}: carries ${MANAGED_BY}=bulwark in the environment's namespace, but dist/${opts.env} has no such object`),
    ...drifted.map((d) => `drifted: ${d.object}: ${d.changes.slice(0, 3).join('; ')}${d.changes.length > 3 ? '; …' : ''}`),
    ...podSecurity.map((p) => `pod security: Namespace/${p.namespace}: ${p.label} is ${p.live}, dist/ says ${p.want}`),
    ...rbac.unexpected.map((u) => `rbac: ${u}`),
  ];
  for (const line of lines) ctx.stdout(`${line}\n`);
  const notReady = rollouts.filter((r) => r.status !== 'ready').length;
  log(`${opts.env}: ${objects.length} objects: ${missing.length} missing, ${extra.length} extra, ${drifted.length} drifted; `
    + `pod security ${podSecurity.length === 0 ? 'as dist/ says' : `${podSecurity.length} labels differ`}; `
    + `${rbac.questions} SubjectAccessReviews, ${rbac.unexpected.length} unexpected; `
    + `${rollouts.length - notReady}/${rollouts.length} workloads ready `
    + `-> ${path.relative(ctx.cwd, dir)}/deployment.{md,json}`);
  return failed > 0 ? 1 : 0;
}

/** `kubectl diff --server-side` of the objects that exist: the changes an apply of dist/ would make, object by object. */
function drift(kubectl: Kubectl, present: readonly KubeObject[]): { object: string; changes: string[] }[] {
  if (present.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-verify-'));
  try {
    const file = path.join(dir, 'objects.yaml');
    fs.writeFileSync(file, present.map((o) => toYaml(o as never)).join('---\n'));
    const r = kubectl(['diff', '--server-side', '--force-conflicts', '--field-manager=bulwark-verify', '-f', file]);
    if (r.status > 1) throw new Error(`kubectl diff --server-side failed: ${r.stderr.trim()}`);
    // kubectl names each object's file <group>.<version>.<kind>.<namespace>.<name>, the group and
    // namespace empty for the core group and cluster-scoped kinds (v1.Namespace..bulwark-dev).
    const byFile = new Map(present.map((o) => {
      const ns = isClusterScoped(o) ? '' : o.metadata.namespace;
      const group = groupOf(o.apiVersion);
      return [`${group === '' ? '' : `${group}.`}${versionOf(o.apiVersion)}.${o.kind}.${ns}.${o.metadata.name}`, objectRef(o)];
    }));
    const out: { object: string; changes: string[] }[] = [];
    let current: { object: string; changes: string[] } | undefined;
    for (const line of r.stdout.split('\n')) {
      const header = /^diff -u -N \S+\/([^/\s]+) \S+$/.exec(line);
      if (header) {
        current = { object: byFile.get(header[1]) ?? header[1], changes: [] };
        out.push(current);
      } else if (current && /^[-+](?![-+]{2} )/.test(line) && !/^[-+]\s*(generation|resourceVersion|uid|creationTimestamp):/.test(line)) {
        current.changes.push(line.trim());
      }
    }
    return out.filter((d) => d.changes.length > 0).sort((a, b) => (a.object < b.object ? -1 : 1));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface RuleView {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs?: readonly string[];
}

/** What nothing in dist/ grants a workload identity, which the cluster must then deny. */
const DENIED = [['get', 'secrets', ''], ['create', 'pods', 'exec'], ['create', 'pods', ''], ['delete', 'deployments.apps', '']] as const;

/**
 * The RBAC of dist/ as SubjectAccessReviews (`kubectl auth can-i`): every verb a RoleBinding grants
 * its subjects must be allowed; for each service account, secrets, exec, pod creation and a write
 * that no rule of its bindings grants must be denied.
 */
function rbacQuestions(kubectl: Kubectl, objects: readonly KubeObject[]): { questions: number; unexpected: string[] } {
  const roles = new Map(objects.filter((o) => o.kind === 'Role').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
  const unexpected: string[] = [];
  let questions = 0;
  const ask = (as: readonly string[], verb: string, resource: string, ns: string, subresource: string, expect: boolean, who: string): void => {
    questions++;
    const r = kubectl(['auth', 'can-i', verb, resource, '-n', ns, ...(subresource ? ['--subresource', subresource] : []), ...as]);
    const allowed = r.stdout.trim().startsWith('yes');
    if (allowed !== expect) {
      const what = `${verb} ${resource}${subresource ? `/${subresource}` : ''} in ${ns}`;
      unexpected.push(`${who} may ${allowed ? '' : 'not '}${what}; dist/ says it may${expect ? '' : ' not'}`);
    }
  };
  const granted = new Map<string, RuleView[]>();
  for (const b of objects.filter((o) => o.kind === 'RoleBinding')) {
    const ns = b.metadata.namespace!;
    const ref = b.roleRef as { kind: string; name: string };
    const rules = ref.kind === 'Role' ? ((roles.get(`${ns}/${ref.name}`)?.rules as RuleView[] | undefined) ?? []) : [];
    for (const s of (b.subjects as readonly { kind: string; name: string; namespace?: string }[] | undefined) ?? []) {
      const as = s.kind === 'ServiceAccount' ? ['--as', `system:serviceaccount:${s.namespace ?? ns}:${s.name}`]
        : s.kind === 'Group' ? ['--as', 'bulwark-verify', '--as-group', s.name] : ['--as', s.name];
      const who = `${s.kind}/${s.kind === 'ServiceAccount' ? `${s.namespace ?? ns}/` : ''}${s.name}`;
      const id = `${s.namespace ?? ns}/${s.name}`;
      if (s.kind === 'ServiceAccount') granted.set(id, [...(granted.get(id) ?? []), ...rules]);
      for (const r of rules) {
        for (const group of r.apiGroups ?? ['']) {
          for (const res of r.resources ?? []) {
            const [resource, subresource = ''] = res.split('/');
            const qualified = group === '' ? resource : `${resource}.${group}`;
            const named = (r.resourceNames ?? [])[0];
            for (const verb of r.verbs ?? []) ask(as, verb, named ? `${qualified}/${named}` : qualified, ns, subresource, true, who);
          }
        }
      }
    }
  }
  for (const sa of objects.filter((o) => o.kind === 'ServiceAccount')) {
    const id = `${sa.metadata.namespace}/${sa.metadata.name}`;
    const rules = granted.get(id) ?? [];
    for (const [verb, resource, subresource] of DENIED) {
      const [name, group = ''] = resource.split(/\.(.*)/);
      const full = subresource ? `${name}/${subresource}` : name;
      const grants = rules.some((r) => (r.apiGroups ?? ['']).includes(group) && (r.resources ?? []).includes(full) && (r.verbs ?? []).includes(verb));
      const as = ['--as', `system:serviceaccount:${id.replace('/', ':')}`];
      if (!grants) ask(as, verb, resource, sa.metadata.namespace!, subresource, false, `ServiceAccount/${id}`);
    }
  }
  return { questions, unexpected };
}

function deploymentMarkdown(r: DeploymentReport): string {
  const list = (items: readonly string[]): string[] => (items.length === 0 ? ['(none)'] : items.map((i) => `- ${i}`));
  return [
    `# Deployment report: ${r.environment}`,
    '',
    `${r.objects} objects of dist/${r.environment}: ${r.missing.length} missing, ${r.extra.length} extra, ${r.drifted.length} drifted; `
      + `${r.rbac.questions} SubjectAccessReviews, ${r.rbac.unexpected.length} unexpected.`,
    '',
    '## Missing', '', ...list(r.missing.map((m) => `${m.object}: ${m.reason}`)), '',
    '## Extra', '', ...list(r.extra), '',
    '## Drifted', '', ...list(r.drifted.map((d) => `${d.object}: ${d.changes.join('; ')}`)), '',
    '## Pod Security labels', '', ...list(r.podSecurity.map((p) => `Namespace/${p.namespace}: ${p.label} is ${p.live}, dist/ says ${p.want}`)), '',
    '## RBAC', '', ...list(r.rbac.unexpected), '',
    '## Rollouts', '', ...list(r.rollouts.map((x) => `${x.object}: ${x.ready} ${x.status}`)), '',
  ].join('\n');
}
