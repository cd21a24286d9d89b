/**
 * The "apply" half of one environment's e2e run, against its own fresh API server:
 *   crds         the CRDs of crds/sources.json, server-side applied and Established
 *   apply        every object of dist/<env>/ server-side applied (kubectl), each one read back
 *   idempotent   `kubectl diff --server-side` is empty and a second apply changes no resourceVersion
 *   psa          namespaces enforce restricted; a non-compliant Pod is rejected by PodSecurity (and
 *                the same Pod is admitted in an unlabelled namespace); every pod template of dist/
 *                passes a server-side dry-run create as a Pod, without PodSecurity warnings
 *   rbac         SubjectAccessReviews for every ServiceAccount (and Group/User subject) of dist/
 */
import * as fs from 'fs';
import * as path from 'path';
import { podTemplateOf } from '../lib/manifest/workload-kinds';
import { Cluster } from './cluster';
import { CONSTRAINTS_GROUP, constraintKindOf } from './gatekeeper';
import { KubeClient, KubeObject, ref, statusMessage } from './kube';
import { CrdDocument, DistObject, objectKey } from './objects';
import {
  bindingSubjects,
  boundRules,
  describeQuestion,
  PolicyRule,
  Question,
  questionsFor,
  serviceAccountSubject,
  Subject,
  subjectAccessReview,
} from './rbac';
import { Assertions, containsAll, run, RunResult } from './util';

export const FIELD_MANAGER = 'bulwark';

export interface PhaseContext {
  readonly env: string;
  readonly cluster: Cluster;
  readonly t: Assertions;
  readonly kubectlBin: string;
  /** scratch dir for this phase (inside the cluster's temp dir) */
  readonly work: string;
}

export function kubectl(ctx: PhaseContext, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(ctx.kubectlBin, ['--kubeconfig', ctx.cluster.kubeconfig, ...args], { timeoutMs });
}

function writeList(file: string, items: readonly KubeObject[]): string {
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1));
  return file;
}

function output(r: RunResult): string {
  return `$ ${r.command}\n${r.stdout}${r.stderr}`.trimEnd();
}

// ------------------------------------------------------------------------------------------------
// CRDs
// ------------------------------------------------------------------------------------------------

/**
 * Installs the CRDs (server-side apply over HTTP, a few at a time, strict field validation) and
 * waits until each is Established. Returns how many are Established.
 */
export async function installCrds(ctx: PhaseContext, group: string, crds: readonly CrdDocument[]): Promise<number> {
  if (crds.length === 0) return 0;
  const client = ctx.cluster.client;
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const results = await mapLimit(crds, 4, async (c) =>
    client.request(
      'PATCH',
      `${base}/${c.object.metadata.name}?fieldManager=${FIELD_MANAGER}&fieldValidation=Strict`,
      c.object,
      'application/apply-patch+yaml',
    ),
  );
  // wait only for those the server took (a rejected one would just run into the timeout)
  const wanted = new Set(crds.filter((_, i) => results[i].status === 200 || results[i].status === 201).map((c) => c.object.metadata.name));
  const established = new Set<string>();
  const deadline = Date.now() + 120_000;
  while (established.size < wanted.size && Date.now() < deadline) {
    const r = await client.request('GET', base);
    if (r.status === 200) {
      for (const item of r.json<{ items: KubeObject[] }>().items) {
        const conditions = ((item.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
        const isEstablished = conditions.some((x) => x.type === 'Established' && x.status === 'True');
        if (wanted.has(item.metadata.name) && isEstablished) established.add(item.metadata.name);
      }
    }
    if (established.size < wanted.size) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  crds.forEach((c, i) => {
    const r = results[i];
    const applied = r.status === 200 || r.status === 201;
    const name = c.object.metadata.name;
    const detail = applied ? 'applied, but not Established within 120s' : `HTTP ${r.status}: ${statusMessage(r)}`;
    ctx.t.check(group, `CRD ${name} applied and Established (${c.source})`, applied && established.has(name), detail);
  });
  client.forget();
  return established.size;
}

// ------------------------------------------------------------------------------------------------
// Prerequisite namespaces
// ------------------------------------------------------------------------------------------------

/**
 * Namespaces that objects of dist/ live in but that dist/ does not declare (e.g. istio-system for
 * mesh objects): on a real cluster they come with the component that owns them (Istio,
 * cert-manager, ...), like the CRDs do; here they are created empty before anything is applied.
 */
export function prerequisiteNamespaces(objects: readonly DistObject[]): string[] {
  const declared = new Set(objects.filter((o) => o.object.kind === 'Namespace' && o.object.apiVersion === 'v1').map((o) => o.object.metadata.name));
  const used = new Set(objects.map((o) => o.object.metadata.namespace).filter((n): n is string => typeof n === 'string' && n !== ''));
  return [...used].filter((n) => !declared.has(n) && n !== 'default').sort();
}

export async function createNamespaces(ctx: PhaseContext, group: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const r = await ctx.cluster.client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    ctx.t.check(
      group,
      `prerequisite namespace ${name} (used by dist/${ctx.env}, not declared there) created`,
      r.status === 201 || r.status === 409,
      `HTTP ${r.status}: ${statusMessage(r)}`,
    );
  }
}

// ------------------------------------------------------------------------------------------------
// Apply dist/<env>
// ------------------------------------------------------------------------------------------------

/** Namespaces first, then the other cluster-scoped objects, then namespaced ones; file order within. */
async function applyOrder(client: KubeClient, objects: readonly DistObject[]): Promise<{ ordered: DistObject[]; unserved: Map<DistObject, string> }> {
  const rank = new Map<DistObject, number>();
  const unserved = new Map<DistObject, string>();
  for (const o of objects) {
    try {
      const r = await client.resourceFor(o.object.apiVersion, o.object.kind);
      rank.set(o, o.object.kind === 'Namespace' ? 0 : r.namespaced ? 2 : 1);
    } catch (e) {
      unserved.set(o, (e as Error).message);
      rank.set(o, 3);
    }
  }
  const ordered = objects.map((o, i) => ({ o, i })).sort((a, b) => rank.get(a.o)! - rank.get(b.o)! || a.i - b.i).map((x) => x.o);
  return { ordered, unserved };
}

/**
 * Kinds an object makes the server serve once it is processed: a CRD's (all served versions), a
 * Gatekeeper ConstraintTemplate's constraint kind (through the controller, see e2e/gatekeeper.ts).
 */
export function definedKinds(o: KubeObject): { apiVersion: string; kind: string }[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'CustomResourceDefinition' && o.apiVersion === 'apiextensions.k8s.io/v1' && spec) {
    const names = spec.names as { kind?: string } | undefined;
    const versions = (spec.versions as { name: string; served?: boolean }[] | undefined) ?? [];
    if (!names?.kind) return [];
    const kind = names.kind;
    return versions.filter((v) => v.served !== false).map((v) => ({ apiVersion: `${String(spec.group)}/${v.name}`, kind }));
  }
  if (o.kind === 'ConstraintTemplate' && o.apiVersion.startsWith('templates.gatekeeper.sh/')) {
    const kind = constraintKindOf(o);
    return kind ? [{ apiVersion: `${CONSTRAINTS_GROUP}/v1beta1`, kind }] : [];
  }
  return [];
}

export interface ApplyResult {
  readonly file: string;
  /** 2 when objects defining kinds (CRDs, ConstraintTemplates) went first */
  readonly waves: number;
  readonly accepted: number;
  readonly total: number;
  readonly rejected: string[];
  /** resourceVersion of every accepted object after the first apply, by objectKey */
  readonly resourceVersions: Map<string, string>;
}

/** A rejected object's own error: apply it alone. */
async function whyRejected(ctx: PhaseContext, o: DistObject, unserved: string | undefined): Promise<string> {
  if (unserved) return unserved;
  const file = writeList(path.join(ctx.work, 'single.json'), [o.object]);
  const r = await kubectl(ctx, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
  return (r.stderr || r.stdout).trim();
}

export async function applyDist(ctx: PhaseContext, objects: readonly DistObject[]): Promise<ApplyResult> {
  const group = `${ctx.env} apply`;
  const client = ctx.cluster.client;

  // Wave 1 (like an Argo CD sync wave): objects that define kinds other objects of dist/ use, then
  // wait (up to 60 s) until those kinds are served. kubectl cannot map an object whose kind is not
  // served yet, so one single apply could never accept both.
  let waves = 1;
  const definers = objects.filter((o) => definedKinds(o.object).length > 0);
  if (definers.length > 0) {
    waves = 2;
    const wave1 = writeList(path.join(ctx.work, 'wave1.json'), definers.map((o) => o.object));
    const first = await kubectl(ctx, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', wave1, '-o', 'name'], 300_000);
    ctx.t.check(
      group,
      `wave 1: kubectl apply --server-side of the ${definers.length} objects that define kinds (CRDs, ConstraintTemplates)`,
      first.code === 0,
      output(first),
    );
    const defined = new Set(definers.flatMap((o) => definedKinds(o.object)).map((k) => `${k.apiVersion}/${k.kind}`));
    const awaited = objects.filter((o) => defined.has(`${o.object.apiVersion}/${o.object.kind}`));
    const deadline = Date.now() + 60_000;
    const missing = async (): Promise<string[]> => {
      client.forget();
      const out: string[] = [];
      for (const o of awaited) {
        await client.resourceFor(o.object.apiVersion, o.object.kind).catch(() => out.push(`${o.object.apiVersion} ${o.object.kind}`));
      }
      return [...new Set(out)];
    };
    let left = await missing();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = await missing();
    }
    const kinds = new Set(awaited.map((o) => o.object.kind)).size;
    ctx.t.check(
      group,
      `wave 1: the ${kinds} kinds it defines that dist/${ctx.env} uses are served`,
      left.length === 0,
      `not served after 60s: ${left.join(', ')}`,
    );
  }

  const { ordered, unserved } = await applyOrder(client, objects);
  const file = writeList(path.join(ctx.work, 'dist.json'), ordered.map((o) => o.object));
  const applied = await kubectl(ctx, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file, '-o', 'name'], 300_000);

  const resourceVersions = new Map<string, string>();
  const rejected: string[] = [];
  const notAsWritten: string[] = [];
  for (const o of ordered) {
    let live: KubeObject | undefined;
    let error = '';
    try {
      live = unserved.has(o) ? undefined : await client.get(o.object);
    } catch (e) {
      error = (e as Error).message;
    }
    // exists, and was written by this apply (not merely pre-existing, like bootstrap RBAC roles)
    const managers = ((live?.metadata.managedFields as { manager?: string }[] | undefined) ?? []).map((m) => m.manager);
    const ok = live !== undefined && managers.includes(FIELD_MANAGER);
    const why = ok
      ? ''
      : error
        || (live
          ? `exists, but not written by field manager ${FIELD_MANAGER} (managers: ${managers.join(', ')})`
          : await whyRejected(ctx, o, unserved.get(o)));
    ctx.t.check(group, `accepted: ${ref(o.object)} (${o.file})`, ok, why);
    if (!ok) {
      rejected.push(`${ref(o.object)} (${o.file}): ${why.split('\n')[0]}`);
      continue;
    }
    resourceVersions.set(objectKey(o.object), live!.metadata.resourceVersion ?? '');
    const diffs = containsAll(o.object, live);
    if (diffs.length > 0) notAsWritten.push(`${ref(o.object)}: ${diffs.slice(0, 5).join('; ')}`);
  }
  const accepted = ordered.length - rejected.length;
  ctx.t.check(group, `kubectl apply --server-side exits 0 (${ordered.length} objects)`, applied.code === 0, output(applied));
  ctx.t.check(group, `the server stores every accepted object as written (${accepted} objects)`, notAsWritten.length === 0, notAsWritten.join('\n'));
  return { file, waves, accepted, total: ordered.length, rejected, resourceVersions };
}

// ------------------------------------------------------------------------------------------------
// Idempotency
// ------------------------------------------------------------------------------------------------

export interface IdempotencyResult {
  /** 'none' (exit 0, empty), 'diff' (exit 1), or 'error (exit N)' */
  readonly diff: string;
  readonly changed: number;
}

export async function secondApply(ctx: PhaseContext, objects: readonly DistObject[], first: ApplyResult): Promise<IdempotencyResult> {
  const group = `${ctx.env} idempotent`;
  const diff = await kubectl(ctx, ['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', first.file]);
  // kubectl diff: exit 0 = no differences, 1 = differences, >1 = error
  const diffEmpty = diff.code === 0 && diff.stdout.trim() === '';
  ctx.t.check(group, 'kubectl diff --server-side of dist/ after the first apply is empty', diffEmpty, output(diff));
  const again = await kubectl(ctx, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', first.file, '-o', 'name'], 300_000);
  ctx.t.check(group, 'second kubectl apply --server-side exits 0', again.code === 0, output(again));
  const changedList: string[] = [];
  for (const o of objects) {
    const before = first.resourceVersions.get(objectKey(o.object));
    if (before === undefined) continue; // rejected the first time: reported by the apply group
    const live = await ctx.cluster.client.get(o.object);
    const after = live?.metadata.resourceVersion;
    if (after !== before) changedList.push(`${ref(o.object)}: resourceVersion ${before} -> ${after ?? '(gone)'}`);
  }
  ctx.t.check(
    group,
    `second apply changes no object (resourceVersion of ${first.resourceVersions.size} objects unchanged)`,
    changedList.length === 0,
    changedList.join('\n'),
  );
  return { diff: diffEmpty ? 'none' : diff.code === 1 ? 'diff' : `error (exit ${diff.code})`, changed: changedList.length };
}

// ------------------------------------------------------------------------------------------------
// Pod Security Admission
// ------------------------------------------------------------------------------------------------

const PROBE_SA = 'bulwark-e2e-probe';
const CONTROL_NS = 'bulwark-e2e-psa-control';

/** A Pod that violates the restricted (and baseline) profile on purpose. */
function nonCompliantPod(namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'bulwark-e2e-non-compliant', namespace },
    spec: {
      serviceAccountName: PROBE_SA,
      automountServiceAccountToken: false,
      hostNetwork: true,
      containers: [
        {
          name: 'probe',
          image: 'registry.k8s.io/pause:3.10',
          securityContext: { privileged: true, runAsUser: 0 },
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  };
}

/** Pod templates of workload objects (every kind of WORKLOAD_KINDS but Pod). */
export function podTemplates(objects: readonly DistObject[]): { owner: DistObject; pod: KubeObject }[] {
  const out: { owner: DistObject; pod: KubeObject }[] = [];
  for (const o of objects) {
    const template = podTemplateOf(o.object) as { metadata?: Record<string, unknown>; spec?: unknown } | undefined;
    if (!template || typeof template.spec !== 'object') continue;
    const meta = template.metadata ?? {};
    out.push({
      owner: o,
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${o.object.metadata.name}-e2e-dry-run`,
          namespace: o.object.metadata.namespace ?? 'default',
          ...(meta.labels ? { labels: meta.labels as Record<string, string> } : {}),
          ...(meta.annotations ? { annotations: meta.annotations as Record<string, string> } : {}),
        },
        spec: template.spec,
      },
    });
  }
  return out;
}

async function createOrFail(ctx: PhaseContext, group: string, what: string, urlPath: string, body: KubeObject): Promise<boolean> {
  const r = await ctx.cluster.client.request('POST', urlPath, body);
  return ctx.t.check(group, what, r.status === 201 || r.status === 409, `HTTP ${r.status}: ${statusMessage(r)}`);
}

/**
 * Stand-in for kube-controller-manager's quota controller (not running here): until a quota's
 * status lists `hard`, the ResourceQuota admission plugin rejects every pod ("status unknown for
 * quota"). Copies spec.hard to status.hard with zero usage, as the controller would.
 */
async function initialiseQuotaStatus(ctx: PhaseContext, group: string, objects: readonly DistObject[]): Promise<void> {
  for (const o of objects.filter((x) => x.object.kind === 'ResourceQuota' && x.object.apiVersion === 'v1')) {
    const client = ctx.cluster.client;
    const live = await client.get(o.object);
    if (!live) continue; // rejected: reported by the apply group
    const hard = ((live.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {}) as Record<string, string>;
    const used = Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
    const r = await client.request('PUT', `${await client.objectPath(o.object)}/status`, { ...live, status: { hard, used } });
    ctx.t.check(group, `${ref(o.object)}: status initialised (quota controller stand-in)`, r.status === 200, `HTTP ${r.status}: ${statusMessage(r)}`);
  }
}

export interface PsaResult {
  readonly namespaces: string[];
  readonly enforced: number;
  /** namespaces where the non-compliant Pod was rejected by the expected restricted profile */
  readonly badPodRejected: number;
  /** the PodSecurity verdict of the first rejection seen, e.g. violates PodSecurity "restricted:v1.28" */
  readonly rejectedWith?: string;
  readonly podsAdmitted: number;
  readonly pods: number;
}

export async function podSecurity(ctx: PhaseContext, objects: readonly DistObject[]): Promise<PsaResult> {
  const group = `${ctx.env} psa`;
  const client = ctx.cluster.client;
  const namespaces = objects.filter((o) => o.object.kind === 'Namespace' && o.object.apiVersion === 'v1');
  ctx.t.check(group, `dist/${ctx.env} declares at least one Namespace`, namespaces.length > 0);
  let enforced = 0;
  let badPodRejected = 0;
  let rejectedWith: string | undefined;
  for (const ns of namespaces) {
    const name = ns.object.metadata.name;
    const live = await client.get(ns.object);
    const labels = live?.metadata.labels ?? {};
    const level = labels['pod-security.kubernetes.io/enforce'];
    const version = labels['pod-security.kubernetes.io/enforce-version'] ?? 'latest';
    const restricted = ctx.t.check(
      group,
      `namespace ${name} on the server: pod-security.kubernetes.io/enforce=restricted`,
      level === 'restricted',
      `labels: ${JSON.stringify(labels)}`,
    );
    if (restricted) enforced++;

    await createOrFail(ctx, group, `probe ServiceAccount in ${name}`, `/api/v1/namespaces/${name}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: PROBE_SA, namespace: name },
    });
    const bad = await client.request('POST', `/api/v1/namespaces/${name}/pods?dryRun=All`, nonCompliantPod(name));
    const message = statusMessage(bad);
    const expected = `violates PodSecurity "restricted:${version}"`;
    const rejected = ctx.t.check(
      group,
      `non-compliant Pod in ${name} rejected with 403 '${expected}'`,
      bad.status === 403 && message.includes(expected),
      `HTTP ${bad.status}: ${message}`,
    );
    if (rejected) badPodRejected++;
    const verdict = /violates PodSecurity "[^"]+"/.exec(message)?.[0];
    if (bad.status === 403 && verdict && rejectedWith === undefined) rejectedWith = verdict;
  }

  // Control: Pod Security lets the same Pod into a namespace without its labels, so the rejection
  // above is the platform's labels at work (and not, say, a missing ServiceAccount).
  await createOrFail(ctx, group, `control namespace ${CONTROL_NS}`, '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: CONTROL_NS },
  });
  await createOrFail(ctx, group, `probe ServiceAccount in ${CONTROL_NS}`, `/api/v1/namespaces/${CONTROL_NS}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: PROBE_SA, namespace: CONTROL_NS },
  });
  const control = await client.request('POST', `/api/v1/namespaces/${CONTROL_NS}/pods?dryRun=All`, nonCompliantPod(CONTROL_NS));
  const message = statusMessage(control);
  // Where the platform's own ValidatingAdmissionPolicies deny (enforcement "deny"), they reject
  // the Pod cluster-wide: that is the CEL twin at work, not Pod Security.
  const deniedByPlatformPolicy = /ValidatingAdmissionPolicy 'bulwark-[a-z0-9-]+' with binding '[a-z0-9-]+' denied request/.test(message);
  ctx.t.check(
    group,
    `control: in unlabelled namespace ${CONTROL_NS} Pod Security does not reject the same Pod (admitted, or denied by a Bulwark admission policy)`,
    (control.status === 201 || deniedByPlatformPolicy) && !message.includes('violates PodSecurity'),
    `HTTP ${control.status}: ${message}`,
  );

  await initialiseQuotaStatus(ctx, group, objects);
  const templates = podTemplates(objects);
  let admitted = 0;
  for (const { owner, pod } of templates) {
    const ns = pod.metadata.namespace!;
    const r = await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?dryRun=All`, pod);
    const psaWarnings = r.warnings.filter((w) => /PodSecurity/i.test(w));
    const ok = ctx.t.check(
      group,
      `pod template of ${ref(owner.object)} admitted as a Pod (server-side dry run), no PodSecurity warnings`,
      r.status === 201 && psaWarnings.length === 0,
      `HTTP ${r.status}: ${r.status === 201 ? '' : statusMessage(r)}${r.warnings.length ? `\nwarnings: ${r.warnings.join(' | ')}` : ''}`,
    );
    if (ok) admitted++;
  }
  return {
    namespaces: namespaces.map((n) => n.object.metadata.name),
    enforced,
    badPodRejected,
    rejectedWith,
    podsAdmitted: admitted,
    pods: templates.length,
  };
}

// ------------------------------------------------------------------------------------------------
// RBAC
// ------------------------------------------------------------------------------------------------

export interface RbacResult {
  readonly subjects: number;
  readonly questions: number;
  readonly asExpected: number;
  readonly allowed: number;
  readonly denied: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function canIArgs(q: Question): string[] {
  const as = q.subject.kind === 'ServiceAccount'
    ? [`--as=${q.subject.user}`]
    : [`--as=${q.subject.user}`, ...q.subject.groups.filter((g) => g !== 'system:authenticated').map((g) => `--as-group=${g}`)];
  if (q.nonResourceURL) return ['auth', 'can-i', q.verb, q.nonResourceURL, ...as];
  const res = `${q.resource}${q.group ? `.${q.group}` : ''}${q.name ? `/${q.name}` : ''}`;
  return [
    'auth',
    'can-i',
    q.verb,
    res,
    ...(q.subresource ? [`--subresource=${q.subresource}`] : []),
    ...(q.namespace ? ['-n', q.namespace] : ['--all-namespaces']),
    ...as,
  ];
}

export async function rbac(ctx: PhaseContext, objects: readonly DistObject[]): Promise<RbacResult> {
  const group = `${ctx.env} rbac`;
  const client = ctx.cluster.client;
  const plain = objects.map((o) => o.object);
  const lookup = async (kind: 'Role' | 'ClusterRole', name: string, namespace: string): Promise<PolicyRule[] | undefined> => {
    const local = plain.find((o) =>
      o.apiVersion === 'rbac.authorization.k8s.io/v1'
        && o.kind === kind
        && o.metadata.name === name
        && (kind === 'ClusterRole' || o.metadata.namespace === namespace));
    const role = local ?? (await client.get({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name, ...(kind === 'Role' ? { namespace } : {}) },
    }));
    return role ? ((role.rules as PolicyRule[] | undefined) ?? []) : undefined;
  };
  const subjects: Subject[] = [
    ...plain
      .filter((o) => o.kind === 'ServiceAccount' && o.apiVersion === 'v1')
      .map((o) => serviceAccountSubject(o.metadata.namespace ?? 'default', o.metadata.name)),
    ...bindingSubjects(plain),
  ];
  ctx.t.check(group, `dist/${ctx.env} declares at least one ServiceAccount`, subjects.some((s) => s.kind === 'ServiceAccount'));
  const questions: Question[] = [];
  for (const s of subjects) {
    const { rules, missing } = await boundRules(plain, s, lookup);
    ctx.t.check(group, `every role bound to ${s.name}@${s.namespace} exists`, missing.length === 0, missing.join('\n'));
    questions.push(...questionsFor(s, rules));
  }
  const answers = await mapLimit(questions, 8, async (q) => {
    const r = await client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', subjectAccessReview(q));
    if (r.status !== 201 && r.status !== 200) return { allowed: undefined, detail: `HTTP ${r.status}: ${statusMessage(r)}` };
    const status = r.json<{ status?: { allowed?: boolean; reason?: string; denied?: boolean } }>().status ?? {};
    return { allowed: status.allowed === true, detail: status.reason ?? '' };
  });
  let asExpected = 0;
  questions.forEach((q, i) => {
    const a = answers[i];
    const want = q.expectAllowed ? 'allowed' : 'denied';
    const got = a.allowed === undefined ? 'error' : a.allowed ? 'allowed' : 'denied';
    const ok = ctx.t.check(
      group,
      `${describeQuestion(q)} -> ${want} (${q.origin}${q.because ? `: ${q.because}` : ''})`,
      got === want,
      `SubjectAccessReview answered ${got}${a.detail ? `: ${a.detail}` : ''}`,
    );
    if (ok) asExpected++;
  });

  // The same questions through `kubectl auth can-i` (impersonation), for one granted and one
  // denied question: both paths must agree.
  for (const q of [questions.find((x) => x.expectAllowed), questions.find((x) => !x.expectAllowed)]) {
    if (!q) continue;
    const r = await kubectl(ctx, canIArgs(q));
    const answer = r.stdout.trim().split(/\s/)[0]; // "yes", "no", or "no - <reason>"
    const want = q.expectAllowed ? 'yes' : 'no';
    ctx.t.check(group, `kubectl ${canIArgs(q).join(' ')} -> ${want}`, answer === want && r.code === (q.expectAllowed ? 0 : 1), output(r));
  }
  return {
    subjects: subjects.length,
    questions: questions.length,
    asExpected,
    allowed: questions.filter((q) => q.expectAllowed).length,
    denied: questions.filter((q) => !q.expectAllowed).length,
  };
}
