/**
 * The one-step install of an umbrella chart (`make install`, scripts/install.ts): render, check
 * the cluster, apply the ConstraintTemplates adopted by the release, wait until Gatekeeper has
 * created every constraint kind, then one `helm upgrade --install`. See install-plan.ts for why.
 *
 * Nothing is written to the cluster until every check passed; each problem says what is missing
 * and how to fix it. Programs run through `InstallEnvironment`, so tests can play the cluster.
 */
import * as path from 'path';
import { isKubeObject, parseYamlDocuments } from '../manifest/manifest-reader';
import { JsonValue, toYamlStream } from '../manifest/yaml-emitter';
import {
  CONSTRAINTS_GROUP,
  InstallPlan,
  NeededKind,
  planInstall,
  Release,
  RELEASE_NAME_ANNOTATION,
  RELEASE_NAMESPACE_ANNOTATION,
  TEMPLATES_GROUP,
} from './install-plan';

/** What a program printed and how it ended. */
export interface ProgramResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The outside world of an install: programs and time. */
export interface InstallEnvironment {
  /** Runs `command` with `args` (and `input` on stdin) to completion. */
  readonly run: (command: string, args: readonly string[], input?: string) => Promise<ProgramResult>;
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
}

export interface InstallOptions {
  /** The packaged chart (`dist/<env>/platform-<version>.tgz`) or its folder. */
  readonly chart: string;
  readonly release: Release;
  /** Path of the helm binary (helm 3 or helm 4). */
  readonly helm: string;
  /** Path of the kubectl binary. */
  readonly kubectl: string;
  /** Value flags (`--set`, `-f`) and install flags given to both `helm template` and `helm upgrade --install`. @default none */
  readonly helmArgs?: readonly string[];
  /** How long Gatekeeper may take to create the constraint kinds. @default 120000 */
  readonly timeoutMs?: number;
  /** Interval between two looks at the constraint CRDs. @default 500 */
  readonly pollMs?: number;
  /** One line of progress. */
  readonly log: (line: string) => void;
}

export interface InstallResult {
  readonly ok: boolean;
  /** Why it stopped: each names what is wrong and how to fix it. */
  readonly problems: readonly string[];
  /** The plan of the rendered chart, once it rendered. */
  readonly plan?: InstallPlan;
}

const WITHOUT_GATEKEEPER = '--set gatekeeper-templates.enabled=false,gatekeeper.enabled=false';
const CRDS_FIX = 'make crds && kubectl apply --server-side -f .build/crds/';

export async function installChart(opts: InstallOptions, env: InstallEnvironment): Promise<InstallResult> {
  const helmArgs = opts.helmArgs ?? [];
  const { name, namespace } = opts.release;
  const rendered = await env.run(opts.helm, ['template', name, opts.chart, '-n', namespace, ...helmArgs]);
  if (rendered.code !== 0) return failed(`helm template ${name} ${opts.chart} failed (exit ${rendered.code}): ${rendered.stderr.trim()}`);
  let plan: InstallPlan;
  try {
    const objects = parseYamlDocuments(rendered.stdout, `helm template ${opts.chart}`).filter(isKubeObject);
    plan = planInstall(objects, opts.release);
    opts.log(`rendered ${objects.length} objects of ${opts.chart} (${plan.templates.length} ConstraintTemplates)`);
  } catch (e) {
    return failed((e as Error).message);
  }

  const kubectl = (args: readonly string[], input?: string) => env.run(opts.kubectl, args, input);
  // Each check reports every problem of its kind; a cluster that cannot be reached stops the rest.
  const problems = await missingNamespaces(plan, kubectl);
  if (!problems.some((p) => p.startsWith(UNREACHABLE))) problems.push(...(await unservedKinds(plan.kinds, kubectl)));
  if (problems.length === 0) problems.push(...(await foreignTemplates(plan, opts.release, kubectl)));
  if (problems.length > 0) return { ok: false, problems, plan };
  opts.log(`prerequisites: ${plan.prerequisiteNamespaces.size} namespaces exist, ${plan.kinds.length} kinds are served`);

  if (plan.templates.length > 0) {
    // The field manager is helm's own (the binary's name, as Helm sets it), so that the release's
    // later applies own these fields outright instead of sharing them with a second manager.
    const manager = path.basename(opts.helm);
    const applyArgs = ['apply', '--server-side', '--force-conflicts', '--field-manager', manager, '-f', '-'];
    const applied = await kubectl(applyArgs, toYamlStream(plan.templates as unknown as JsonValue[]));
    if (applied.code !== 0) return { ok: false, problems: [`kubectl apply of the ConstraintTemplates failed: ${applied.stderr.trim()}`], plan };
    opts.log(`applied ${plan.templates.length} ConstraintTemplates (server-side, adopted by release ${name} in ${namespace})`);
    const start = env.now();
    const waited = await constraintKindsEstablished(plan, opts, env);
    if (waited.length > 0) return { ok: false, problems: [waitProblem(plan, waited, opts)], plan };
    opts.log(`${plan.constraintCrds.size} constraint kinds Established after ${((env.now() - start) / 1000).toFixed(1)}s`);
  }

  const installArgs = ['upgrade', '--install', name, opts.chart, '-n', namespace, '--create-namespace', '--reset-values', ...helmArgs];
  const installed = await env.run(opts.helm, installArgs);
  if (installed.code !== 0) {
    return { ok: false, problems: [`helm ${installArgs.join(' ')} failed (exit ${installed.code}): ${installed.stderr.trim()}`], plan };
  }
  for (const line of installed.stdout.trimEnd().split('\n')) opts.log(line);
  return { ok: true, problems: [], plan };

  function failed(problem: string): InstallResult {
    return { ok: false, problems: [problem] };
  }
}

type Kubectl = (args: readonly string[], input?: string) => Promise<ProgramResult>;

const UNREACHABLE = 'cannot reach the cluster';

/** A failed kubectl as a problem: its last line, which says why (the lines before are client-go's log). */
function unreachable(what: string, r: ProgramResult): string {
  const lines = r.stderr.trim().split('\n');
  return `${UNREACHABLE} (${what}): ${lines[lines.length - 1]} (KUBECONFIG selects the cluster)`;
}

function listed(objects: readonly { kind: string; metadata: { name: string; namespace?: string } }[], max = 3): string {
  const names = objects.slice(0, max).map((o) => `${o.kind} ${o.metadata.name}`);
  return `${names.join(', ')}${objects.length > max ? `, … ${objects.length - max} more` : ''}`;
}

async function missingNamespaces(plan: InstallPlan, kubectl: Kubectl): Promise<string[]> {
  const wanted = [...plan.prerequisiteNamespaces.keys()];
  if (wanted.length === 0) return [];
  const r = await kubectl(['get', 'namespaces', ...wanted, '--ignore-not-found', '-o', 'name']);
  if (r.code !== 0) return [unreachable('kubectl get namespaces', r)];
  const present = new Set(r.stdout.split('\n').map((l) => l.trim().replace(/^namespace\//, '')));
  const missing = wanted.filter((n) => !present.has(n));
  if (missing.length === 0) return [];
  const each = missing.map((n) => {
    const objects = plan.prerequisiteNamespaces.get(n)!;
    return `${n} (${objects.length} object${objects.length === 1 ? '' : 's'}: ${listed(objects)})`;
  });
  return [
    `namespace${missing.length === 1 ? '' : 's'} ${each.join('; ')} ${missing.length === 1 ? 'does' : 'do'} not exist: `
      + 'the platform puts objects there but does not create these namespaces, which belong to the software installed there '
      + `(Istio, cert-manager, Falco); install it first, or on a local cluster create ${missing.length === 1 ? 'it' : 'them'}: `
      + createNamespacesCommand(missing),
  ];
}

/** The shell command that creates `names` (kubectl create namespace takes one name). */
export function createNamespacesCommand(names: readonly string[]): string {
  return names.length === 1 ? `kubectl create namespace ${names[0]}` : `for ns in ${names.join(' ')}; do kubectl create namespace "$ns"; done`;
}

/** The kinds each served group/version has, or undefined when it is not served. */
async function servedKinds(apiVersion: string, kubectl: Kubectl): Promise<Set<string> | undefined | Error> {
  const r = await kubectl(['get', '--raw', apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`]);
  if (r.code !== 0) {
    if (/NotFound|could not find the requested resource|\(404\)/.test(r.stderr)) return undefined;
    return new Error(r.stderr.trim().split('\n').pop());
  }
  const list = JSON.parse(r.stdout) as { resources?: { name: string; kind: string }[] };
  return new Set((list.resources ?? []).filter((res) => !res.name.includes('/')).map((res) => res.kind));
}

async function unservedKinds(kinds: readonly NeededKind[], kubectl: Kubectl): Promise<string[]> {
  // One call lists the kinds of every group's preferred version (columns: NAME [SHORTNAMES]
  // APIVERSION NAMESPACED KIND); it exits 1 when one aggregated API is down, and lists the rest.
  const resources = await kubectl(['api-resources', '--no-headers']);
  if (resources.code !== 0 && resources.stdout.trim() === '') return [unreachable('kubectl api-resources', resources)];
  const columns = resources.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c.length >= 4);
  const preferred = new Set(columns.map((c) => `${c[c.length - 3]} ${c[c.length - 1]}`));
  const others = kinds.filter((k) => !preferred.has(`${k.apiVersion} ${k.kind}`));
  // What is not there may be served in a version that is not the preferred one: asked one by one.
  const versions = [...new Set(others.map((k) => k.apiVersion))];
  const served = new Map<string, Set<string> | undefined | Error>();
  for (const v of versions) served.set(v, await servedKinds(v, kubectl));
  const failed = [...served.values()].find((s): s is Error => s instanceof Error);
  if (failed) return [`${UNREACHABLE} (kubectl get --raw): ${failed.message}`];
  const missing = others.filter((k) => !(served.get(k.apiVersion) as Set<string> | undefined)?.has(k.kind));
  if (missing.length === 0) return [];
  const each = missing.map((k) => `${k.apiVersion} ${k.kind} (${k.objects.length} object${k.objects.length === 1 ? '' : 's'})`);
  const constraints = missing.some((k) => k.apiVersion.startsWith(`${CONSTRAINTS_GROUP}/`));
  const gatekeeper = missing.some((k) => k.apiVersion.startsWith(`${TEMPLATES_GROUP}/`));
  return [
    `the cluster does not serve ${missing.length} kind${missing.length === 1 ? '' : 's'} the chart uses: ${each.join('; ')}. `
      + 'Install the operators that define them first (their CRDs are pinned in crds/sources.json); '
      + `on a local cluster apply just their CRDs: ${CRDS_FIX}`
      + (gatekeeper ? `; without Gatekeeper install with ${WITHOUT_GATEKEEPER}` : '')
      + (constraints ? '; a constraint kind is created from its ConstraintTemplate: keep gatekeeper-templates enabled with gatekeeper' : ''),
  ];
}

interface Owned {
  metadata: { name: string; annotations?: Record<string, string> };
}

/** Templates already on the cluster that another release, or no Helm release, owns: adopting them would take them away. */
async function foreignTemplates(plan: InstallPlan, release: Release, kubectl: Kubectl): Promise<string[]> {
  if (plan.templates.length === 0) return [];
  const names = plan.templates.map((t) => t.metadata.name);
  const r = await kubectl(['get', `constrainttemplates.${TEMPLATES_GROUP}`, ...names, '--ignore-not-found', '-o', 'json']);
  if (r.code !== 0) return [unreachable('kubectl get constrainttemplates', r)];
  if (r.stdout.trim() === '') return [];
  const parsed = JSON.parse(r.stdout) as { items?: Owned[] } & Owned;
  const items = parsed.items ?? (parsed.metadata ? [parsed] : []);
  const problems: string[] = [];
  for (const t of items) {
    const owner = t.metadata.annotations?.[RELEASE_NAME_ANNOTATION];
    const ownerNs = t.metadata.annotations?.[RELEASE_NAMESPACE_ANNOTATION];
    if (owner === release.name && ownerNs === release.namespace) continue;
    const who = owner === undefined ? 'no Helm release (it was applied by something else)' : `release ${owner} in ${ownerNs ?? '(no namespace)'}`;
    problems.push(
      `ConstraintTemplate ${t.metadata.name} exists and belongs to ${who}, not to release ${release.name} in ${release.namespace}: `
        + 'installing would take it over; install as that release (RELEASE=, NAMESPACE=), '
        + `or remove it first: kubectl delete constrainttemplate ${t.metadata.name}`,
    );
  }
  return problems;
}

interface CrdStatus {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Polls until every constraint CRD exists and is Established; returns those that are not at the deadline. */
async function constraintKindsEstablished(plan: InstallPlan, opts: InstallOptions, env: InstallEnvironment): Promise<string[]> {
  const names = [...new Set(plan.constraintCrds.values())];
  const deadline = env.now() + (opts.timeoutMs ?? 120_000);
  let pending = names;
  for (;;) {
    const r = await env.run(opts.kubectl, ['get', 'customresourcedefinitions.apiextensions.k8s.io', ...names, '--ignore-not-found', '-o', 'json']);
    if (r.code === 0 && r.stdout.trim() !== '') {
      const parsed = JSON.parse(r.stdout) as { items?: CrdStatus[] } & CrdStatus;
      const items = parsed.items ?? (parsed.metadata ? [parsed] : []);
      const established = new Set(items
        .filter((c) => (c.status?.conditions ?? []).some((x) => x.type === 'Established' && x.status === 'True'))
        .map((c) => c.metadata.name));
      pending = names.filter((n) => !established.has(n));
    }
    if (pending.length === 0 || env.now() >= deadline) return pending;
    await env.sleep(opts.pollMs ?? 500);
  }
}

function waitProblem(plan: InstallPlan, pending: readonly string[], opts: InstallOptions): string {
  const template = [...plan.constraintCrds].find(([, crd]) => crd === pending[0])?.[0] ?? '';
  const seconds = Math.round((opts.timeoutMs ?? 120_000) / 1000);
  return `Gatekeeper did not create ${pending.length} of the ${plan.constraintCrds.size} constraint kinds within ${seconds}s `
    + `(not Established: ${pending.join(', ')}): is Gatekeeper running (kubectl -n gatekeeper-system get pods; `
    + `kubectl get constrainttemplate ${template} -o jsonpath='{.status}')? The ConstraintTemplates are applied and owned by `
    + `release ${opts.release.name}; run the install again once Gatekeeper runs, or install without the guards: ${WITHOUT_GATEKEEPER}`;
}
