/**
 * The GitOps phase of the e2e run, against its own fresh API server: a real Argo CD (e2e/argocd.ts)
 * delivers what `bulwark publish` puts on the dist branch.
 *   1. source     the dev fixture overlay, with `gitops.repoURL` naming a bare repository in the
 *                 temp dir (`file://`, no git daemon) and automated prune + self-heal, synthesized
 *                 and committed in a source repository
 *   2. publish    `bulwark publish --remote origin`: the dist branch of the bare repository, whose
 *                 environments/dev/ must hold the object files of the source's dist/dev/ as they are
 *   3. bootstrap  Argo CD's CRDs (its own version's), its settings and `default` project, the
 *                 namespaces dist/ uses but does not declare; Argo CD started; then
 *                 `kubectl apply --server-side -k bootstrap` from the dist branch: the
 *                 environment's AppProject and ApplicationSet
 *   4. sync       the ApplicationSet generates one Application per cluster (bulwark-dev-in-cluster),
 *                 Synced at the published commit, and every object of environments/dev/ is on the
 *                 server with every field as published
 *   5. update     a second publish changes a ConfigMap value and removes a Role and its RoleBinding;
 *                 after `argocd.argoproj.io/refresh=hard` the change is applied and both are pruned
 *   6. self-heal  a hand edit of that ConfigMap is reverted
 * Health is not asserted: without a kubelet no workload ever becomes Healthy (Progressing).
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Document, parseDocument } from 'yaml';
import { DIST_BRANCH_LAYOUT, environmentPath } from '../lib/manifest/layout';
import { outputFiles, readOutputObjects } from '../lib/manifest/manifest-reader';
import { goModuleDir } from '../scripts/gen-schemas';
import { installCrds, kubectl, PhaseContext, prerequisiteNamespaces } from './apply-phase';
import { ArgoCd, startArgoCd } from './argocd';
import { startGatekeeperStandIn } from './gatekeeper';
import { bareRepository, gitEnv, GitDir } from './git-repo';
import { KubeObject, ref, statusMessage } from './kube';
import { CrdDocument, DistObject } from './objects';
import { containsAll, run, RunResult } from './util';

/** The environment the phase delivers: its fixture overlay is the source. */
export const GITOPS_ENV = 'dev';
/** The source overlay of `env`: the test's own fixture, not the committed overlay. */
const FIXTURE = (root: string, env: string): string => path.join(root, '__tests__', 'fixtures', 'overlays', `${env}.yaml`);
/** Argo CD's namespace (gitops.namespace) and the clusters (one: Argo CD's own). */
const ARGOCD_NAMESPACE = 'argocd';
const CLUSTERS = [{ name: 'in-cluster', server: 'https://kubernetes.default.svc' }];
/** Argo CD's API group and the files of its CRDs in its Go module. */
const ARGOCD_GROUP = 'argoproj.io';
const ARGOCD_CRDS = ['application-crd.yaml', 'applicationset-crd.yaml', 'appproject-crd.yaml'];
const ARGOCD_CRD_NAMES = new Set(['applications', 'applicationsets', 'appprojects'].map((r) => `${r}.${ARGOCD_GROUP}`));
const ARGOCD_API = `/apis/${ARGOCD_GROUP}/v1alpha1`;
/** The config key of the ConfigMap the second publish changes, and the value it gets. */
const CHANGED = { component: 'backend', key: 'LOG_LEVEL', value: 'e2e-second-publish' };
/** The component whose permissions (its Role and RoleBinding) the second publish removes. */
const UNPERMITTED = 'agent';
/** The field manager of the hand edit (as `kubectl edit` would be). */
const HAND = 'kubectl-edit';
/** How long a sync may take before the phase gives up on it. */
const SYNC_TIMEOUT_MS = 120_000;

export interface GitopsPaths {
  readonly root: string;
  /** .tools/bin: argocd and its component links, kustomize, kubectl, git-verify-wrapper.sh */
  readonly binDir: string;
  readonly tsx: string;
  /** The Argo CD version built into binDir (E2E_ARGOCD_VERSION): its CRDs are installed. */
  readonly argocdVersion: string;
}

export interface GitopsResult {
  readonly steps: string[];
  /** The Applications the ApplicationSet generated. */
  readonly applications: string[];
  /** Objects of the published path compared with the server, after each publish. */
  readonly objects: number[];
  /** Seconds: Argo CD start, first sync, second publish applied and pruned, self-heal. */
  readonly seconds: { start?: number; sync?: number; update?: number; heal?: number };
  /** Resident memory of Argo CD's processes and redis once synced. */
  readonly rssMiB?: number;
  readonly notes: string[];
}

function output(r: RunResult): string {
  return `$ ${r.command}\n${r.stdout}${r.stderr}`.trimEnd();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Argo CD's CRDs at the version that runs (the phase replaces any other version's). */
export function argocdCrds(version: string): CrdDocument[] {
  const dir = goModuleDir('github.com/argoproj/argo-cd/v3', version);
  return ARGOCD_CRDS.map((f) => {
    const where = `github.com/argoproj/argo-cd/v3@${version}/manifests/crds/${f}`;
    const object = parseDocument(fs.readFileSync(path.join(dir, 'manifests', 'crds', f), 'utf8')).toJS() as KubeObject;
    return { object, source: where };
  });
}

// ------------------------------------------------------------------------------------------------
// Source and publish
// ------------------------------------------------------------------------------------------------

interface Publication {
  /** The dist branch commit, as the bare repository holds it. */
  readonly sha: string;
  /** A checkout of that commit (the whole dist branch). */
  readonly tree: string;
  /** Its environments/<env>/ */
  readonly envDir: string;
  /** The objects of environments/<env>/ (`file` relative to the branch root). */
  readonly objects: DistObject[];
  /** Object files of the source's dist/<env>/ that the path does not hold byte for byte. */
  readonly unlike: string[];
}

/**
 * The source repository: an overlay, synthesized into dist/ and committed on main, then published
 * by `bulwark publish --remote origin` to the bare repository Argo CD reads.
 */
class Source {
  private round = 0;

  constructor(
    private readonly ctx: PhaseContext,
    private readonly paths: GitopsPaths,
    private readonly work: GitDir,
    private readonly bare: GitDir,
    readonly repoURL: string,
  ) {}

  private get overlayFile(): string {
    return path.join(this.work.dir, 'overlays', `${this.ctx.env}.yaml`);
  }

  /** Rewrites the overlay through `edit` (a YAML document, comments kept). */
  editOverlay(edit: (doc: Document) => void): void {
    const doc = parseDocument(fs.readFileSync(this.overlayFile, 'utf8'));
    edit(doc);
    fs.writeFileSync(this.overlayFile, doc.toString());
  }

  /** `make synth`, commit, `bulwark publish --remote origin`; the published commit, checked out. */
  async publish(subject: string): Promise<Publication> {
    this.round++;
    const bulwark = (args: string[]): Promise<RunResult> => run(this.paths.tsx, [path.join(this.paths.root, 'main.ts'), ...args], {
      cwd: this.work.dir,
      env: this.work.env,
    });
    const synth = await bulwark(['synth', '--quiet']);
    if (synth.code !== 0) throw new Error(`synth of the source failed\n${output(synth)}`);
    await this.work.git('add', '-A');
    await this.work.git('commit', '--quiet', '-m', subject);
    const published = await bulwark(['publish', '--quiet', '--remote', 'origin']);
    if (published.code !== 0) throw new Error(`bulwark publish failed\n${output(published)}`);
    const sha = await this.bare.git('rev-parse', '--verify', `${DIST_BRANCH_LAYOUT.defaultBranch}^{commit}`);
    const tree = path.join(this.ctx.work, `dist-branch-${this.round}`);
    fs.mkdirSync(tree, { recursive: true });
    const archive = `${tree}.tar`;
    await this.bare.git('archive', '--format=tar', '-o', archive, sha);
    const untar = await run('tar', ['-xf', archive, '-C', tree]);
    if (untar.code !== 0) throw new Error(output(untar));
    const envDir = path.join(tree, environmentPath(this.ctx.env));
    const objects = readOutputObjects(envDir).map((o) => ({
      object: o.object as KubeObject,
      file: path.relative(tree, o.path),
      component: o.component,
    }));
    const source = path.join(this.work.dir, 'dist', this.ctx.env);
    const unlike = outputFiles(source, ['object']).map((f) => f.rel).filter((rel) => {
      const there = path.join(envDir, rel);
      return !fs.existsSync(there) || !fs.readFileSync(there).equals(fs.readFileSync(path.join(source, rel)));
    });
    return { sha, tree, envDir, objects, unlike };
  }
}

/** The source and bare repositories; the overlay is the fixture's, delivered through the bare one. */
async function prepareSource(ctx: PhaseContext, paths: GitopsPaths): Promise<Source> {
  const base = path.join(ctx.work, 'gitops');
  const env = gitEnv(path.join(base, 'home'));
  fs.mkdirSync(path.join(base, 'home'), { recursive: true });
  const bare = await bareRepository(path.join(base, 'repo.git'), env);
  const work = new GitDir(path.join(base, 'source'), env);
  fs.mkdirSync(path.join(work.dir, 'overlays'), { recursive: true });
  await work.git('init', '--quiet');
  await work.git('remote', 'add', 'origin', bare.url);
  fs.copyFileSync(path.join(paths.root, '.gitignore'), path.join(work.dir, '.gitignore'));
  fs.copyFileSync(FIXTURE(paths.root, ctx.env), path.join(work.dir, 'overlays', `${ctx.env}.yaml`));
  const source = new Source(ctx, paths, work, bare.repo, bare.url);
  source.editOverlay((doc) => {
    const gitops = {
      repoURL: bare.url,
      branch: DIST_BRANCH_LAYOUT.defaultBranch,
      namespace: ARGOCD_NAMESPACE,
      automated: { prune: true, selfHeal: true },
    };
    doc.set('gitops', doc.createNode(gitops));
    doc.set('clusters', doc.createNode(CLUSTERS));
  });
  return source;
}

// ------------------------------------------------------------------------------------------------
// Argo CD's own objects
// ------------------------------------------------------------------------------------------------

/** What argocd-server and the install manifests would create: settings, a signing key, `default`. */
function argocdSettings(namespace: string): KubeObject[] {
  const labels = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'argocd' });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace, labels: labels('argocd-cm') }, data: {} },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'argocd-secret', namespace, labels: labels('argocd-secret') },
      type: 'Opaque',
      stringData: { 'server.secretkey': randomBytes(32).toString('base64') },
    },
    {
      apiVersion: `${ARGOCD_GROUP}/v1alpha1`,
      kind: 'AppProject',
      metadata: { name: 'default', namespace },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    },
  ];
}

async function applyObjects(ctx: PhaseContext, name: string, objects: readonly KubeObject[]): Promise<RunResult> {
  const file = path.join(ctx.work, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  return kubectl(ctx, ['apply', '--server-side', '--field-manager=bulwark-e2e', '-f', file]);
}

// ------------------------------------------------------------------------------------------------
// Applications
// ------------------------------------------------------------------------------------------------

interface Application extends KubeObject {
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
    conditions?: { type: string; message: string }[];
    resources?: { kind: string; namespace?: string; name: string; status?: string; health?: { status?: string } }[];
  };
}

async function applications(ctx: PhaseContext, namespace: string): Promise<Application[]> {
  const r = await ctx.cluster.client.request('GET', `${ARGOCD_API}/namespaces/${namespace}/applications`);
  return r.status === 200 ? r.json<{ items: Application[] }>().items : [];
}

/** Synced at `revision`, its last operation (if any) Succeeded at that revision. */
function syncedAt(app: Application, revision: string): boolean {
  const s = app.status;
  const op = s?.operationState;
  return s?.sync?.status === 'Synced'
    && s.sync.revision === revision
    && (op === undefined || (op.phase === 'Succeeded' && op.syncResult?.revision === revision));
}

function describe(app: Application | undefined): string {
  if (!app) return '(no such Application)';
  const s = app.status ?? {};
  const outOfSync = (s.resources ?? []).filter((r) => r.status !== 'Synced').map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}: ${r.status}`);
  return [
    `sync: ${s.sync?.status ?? '-'} at ${s.sync?.revision ?? '-'}; health: ${s.health?.status ?? '-'}`,
    `operation: ${s.operationState?.phase ?? '-'} ${s.operationState?.message ?? ''}`,
    ...(s.conditions ?? []).map((c) => `condition ${c.type}: ${c.message}`),
    ...outOfSync.slice(0, 15).map((r) => `not synced: ${r}`),
  ].join('\n');
}

/** Waits until every named Application is synced at `revision`; the seconds it took, or undefined. */
async function waitSynced(
  ctx: PhaseContext,
  namespace: string,
  names: readonly string[],
  revision: string,
  timeoutMs: number,
): Promise<{ seconds?: number; apps: Application[] }> {
  const t0 = Date.now();
  let apps: Application[] = [];
  while (Date.now() - t0 < timeoutMs) {
    apps = (await applications(ctx, namespace)).filter((a) => names.includes(a.metadata.name));
    if (apps.length === names.length && apps.every((a) => syncedAt(a, revision))) return { seconds: (Date.now() - t0) / 1000, apps };
    await sleep(200);
  }
  return { apps };
}

/** Objects of a publication that are not on the server as published. */
async function notAsPublished(ctx: PhaseContext, objects: readonly DistObject[]): Promise<Map<DistObject, string>> {
  const out = new Map<DistObject, string>();
  for (const o of objects) {
    const live = await ctx.cluster.client.get(o.object).catch((e: Error) => e);
    if (live instanceof Error) out.set(o, live.message);
    else if (!live) out.set(o, 'not on the server');
    else {
      const diffs = containsAll(o.object, live);
      if (diffs.length > 0) out.set(o, diffs.slice(0, 5).join('; '));
    }
  }
  return out;
}

/** Gone, or deleted and waiting only for the garbage collector (no kube-controller-manager here). */
async function pruned(ctx: PhaseContext, o: DistObject): Promise<string | undefined> {
  const live = await ctx.cluster.client.get(o.object);
  if (!live) return undefined;
  const finalizers = (live.metadata.finalizers as string[] | undefined) ?? [];
  if (live.metadata.deletionTimestamp && finalizers.every((f) => f === 'foregroundDeletion')) return undefined;
  return `still on the server (deletionTimestamp ${String(live.metadata.deletionTimestamp ?? 'unset')}, finalizers [${finalizers.join(', ')}])`;
}

// ------------------------------------------------------------------------------------------------
// The phase
// ------------------------------------------------------------------------------------------------

export async function gitopsPhase(ctx: PhaseContext, paths: GitopsPaths, crds: readonly CrdDocument[]): Promise<GitopsResult> {
  const group = `${ctx.env} gitops`;
  const t = ctx.t;
  const progress: Progress = { steps: [], notes: [], seconds: {}, applications: [], objects: [] };
  const stop = (why: string): GitopsResult => {
    progress.steps.push(`stopped: ${why}`);
    return progress;
  };

  // 1-2. source and first publish, while the API server takes the CRDs (nothing here needs the other)
  const since = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const t0 = Date.now();
  const all = [...crds.filter((c) => !ARGOCD_CRD_NAMES.has(c.object.metadata.name)), ...argocdCrds(paths.argocdVersion)];
  const crdsInstalled = installCrds(ctx, group, all).then((n) => ({ n, at: since(t0) }));
  const publication = prepareSource(ctx, paths)
    .then(async (source) => ({ source, first: await source.publish('e2e: first publish'), at: since(t0) }))
    .catch((e: Error) => e);
  const [established, published] = await Promise.all([crdsInstalled, publication]);
  if (published instanceof Error) {
    t.check(group, 'synth, commit and bulwark publish --remote origin of the source', false, published.message);
    return stop('publish');
  }
  const { source, first } = published;
  const publishedOk = t.check(
    group,
    `bulwark publish: ${DIST_BRANCH_LAYOUT.defaultBranch} ${first.sha.slice(0, 7)}, ${environmentPath(ctx.env)}/ holds the `
      + `${first.objects.length} object files of the source's dist/${ctx.env}/ byte for byte`,
    first.objects.length > 0 && first.unlike.length === 0,
    `missing or different: ${first.unlike.join(', ')}`,
  );
  if (!publishedOk) return stop('publish');
  progress.steps.push(`published ${first.objects.length} objects in ${published.at}`);

  // 3. bootstrap: CRDs, namespaces, Argo CD's settings; Argo CD; the environment's Argo CD objects
  if (!t.check(group, `${all.length} CRDs Established (Argo CD's of ${paths.argocdVersion})`, established.n === all.length)) return stop('CRDs');
  progress.steps.push(`${all.length} CRDs in ${established.at}`);
  const prereqs = prerequisiteNamespaces(first.objects).filter((n) => n !== ARGOCD_NAMESPACE);
  const settings = await applyObjects(ctx, 'argocd-settings', [
    ...prereqs.map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...argocdSettings(ARGOCD_NAMESPACE),
  ]);
  const settingsOk = t.check(
    group,
    `namespace ${ARGOCD_NAMESPACE} with argocd-cm, argocd-secret, AppProject default; `
      + `namespaces used but not declared: ${prereqs.join(', ')}`,
    settings.code === 0,
    output(settings),
  );
  if (!settingsOk) return stop('settings');

  const gatekeeper = startGatekeeperStandIn(ctx.cluster.client);
  let argocd: ArgoCd | undefined;
  try {
    try {
      argocd = await startArgoCd({ cluster: ctx.cluster, binDir: paths.binDir, namespace: ARGOCD_NAMESPACE });
    } catch (e) {
      t.check(group, `Argo CD ${paths.argocdVersion} and redis start`, false, (e as Error).message);
      return stop('Argo CD start');
    }
    progress.seconds.start = argocd.startSeconds;
    t.check(group, `Argo CD ${paths.argocdVersion} (repo-server, application-controller, applicationset-controller) and redis ready`, true);
    progress.steps.push(`Argo CD ready in ${argocd.startSeconds.toFixed(1)}s`);
    await deliver(ctx, group, argocd, source, first, progress);
    return progress;
  } finally {
    await argocd?.stop();
    await gatekeeper.stop();
  }
}

interface Progress extends GitopsResult {
  readonly steps: string[];
  readonly notes: string[];
  readonly seconds: { start?: number; sync?: number; update?: number; heal?: number };
  readonly applications: string[];
  readonly objects: number[];
  rssMiB?: number;
}

/** Steps 3 (bootstrap) to 6 on a running Argo CD; false as soon as one cannot go on. */
async function deliver(
  ctx: PhaseContext,
  group: string,
  argocd: ArgoCd,
  source: Source,
  first: Publication,
  progress: Progress,
): Promise<boolean> {
  const t = ctx.t;
  const { steps, notes, seconds } = progress;
  const stop = (why: string): false => {
    steps.push(`stopped: ${why}`);
    return false;
  };
  const namespace = argocd.namespace;
  const bootstrapDir = path.join(first.tree, DIST_BRANCH_LAYOUT.bootstrap);
  const bootstrap = await kubectl(ctx, ['apply', '--server-side', '--field-manager=bulwark-e2e', '-k', bootstrapDir]);
  const what = `kubectl apply --server-side -k ${DIST_BRANCH_LAYOUT.bootstrap} (the dist branch's)`;
  if (!t.check(group, what, bootstrap.code === 0, output(bootstrap))) return stop('bootstrap');
  const names = CLUSTERS.map((c) => `bulwark-${ctx.env}-${c.name}`);
  progress.applications.push(...names);

  // 4. first sync
  const synced = await waitSynced(ctx, namespace, names, first.sha, SYNC_TIMEOUT_MS);
  const generated = synced.apps.map((a) => a.metadata.name).sort();
  t.check(
    group,
    `the ApplicationSet generates one Application per cluster: ${names.join(', ')}`,
    generated.join() === [...names].sort().join(),
    `generated: ${generated.join(', ') || 'none'}`,
  );
  const syncOk = t.check(
    group,
    `Application ${names.join(', ')} Synced at ${first.sha.slice(0, 7)} (its sync operation Succeeded)`,
    synced.seconds !== undefined,
    `${synced.apps.map(describe).join('\n') || 'no Application'}\n${argocd.logs()}`,
  );
  if (!syncOk) return stop('first sync');
  seconds.sync = synced.seconds;
  steps.push(`Synced in ${synced.seconds!.toFixed(1)}s`);
  notes.push(`health ${synced.apps.map((a) => a.status?.health?.status ?? '-').join(', ')} (not asserted: no kubelet runs the workloads)`);
  progress.rssMiB = argocd.rssMiB();

  const wrong = await notAsPublished(ctx, first.objects);
  for (const o of first.objects) t.check(group, `synced: ${ref(o.object)} as ${o.file}`, !wrong.has(o), wrong.get(o) ?? '');
  progress.objects.push(first.objects.length);

  // 5. second publish: a changed ConfigMap value, a component's permissions removed
  source.editOverlay((doc) => {
    doc.setIn(['components', CHANGED.component, 'config', CHANGED.key], CHANGED.value);
    doc.deleteIn(['components', UNPERMITTED, 'permissions']);
  });
  let second: Publication;
  try {
    second = await source.publish('e2e: second publish');
  } catch (e) {
    t.check(group, 'second publish', false, (e as Error).message);
    return stop('second publish');
  }
  const kept = new Set(second.objects.map((o) => o.file));
  const removed = first.objects.filter((o) => !kept.has(o.file));
  const changed = second.objects.find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === `${CHANGED.component}-config`);
  const changedValue = (changed?.object.data as Record<string, string> | undefined)?.[CHANGED.key];
  const secondOk = t.check(
    group,
    `second publish ${second.sha.slice(0, 7)}: ConfigMap ${CHANGED.component}-config ${CHANGED.key}=${CHANGED.value}, `
      + `${removed.length} objects removed (${removed.map((o) => ref(o.object)).join(', ')}), the rest as the source's dist/`,
    removed.length > 0 && changedValue === CHANGED.value && second.unlike.length === 0,
    `${CHANGED.key}=${changedValue ?? '(unset)'}; missing or different: ${second.unlike.join(', ')}`,
  );
  if (!secondOk || !changed) return stop('second publish');

  const t1 = Date.now();
  for (const app of names) {
    const r = await ctx.cluster.client.request(
      'PATCH',
      `${ARGOCD_API}/namespaces/${namespace}/applications/${app}`,
      { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } },
      'application/merge-patch+json',
    );
    t.check(group, `argocd.argoproj.io/refresh=hard on ${app}`, r.status === 200, `HTTP ${r.status}: ${statusMessage(r)}`);
  }
  const updated = await waitSynced(ctx, namespace, names, second.sha, SYNC_TIMEOUT_MS);
  const updateOk = t.check(
    group,
    `Application ${names.join(', ')} Synced at ${second.sha.slice(0, 7)}`,
    updated.seconds !== undefined,
    `${updated.apps.map(describe).join('\n')}\n${argocd.logs()}`,
  );
  if (!updateOk) return stop('second sync');
  seconds.update = (Date.now() - t1) / 1000;
  const wrong2 = await notAsPublished(ctx, second.objects);
  t.check(
    group,
    `applied: ${ref(changed.object)} has ${CHANGED.key}=${CHANGED.value}`,
    !wrong2.has(changed),
    wrong2.get(changed) ?? '',
  );
  t.check(
    group,
    `every object of the second publish (${second.objects.length}) is on the server as published`,
    wrong2.size === 0,
    [...wrong2].map(([o, why]) => `${ref(o.object)}: ${why}`).join('\n'),
  );
  for (const o of removed) {
    const why = await pruned(ctx, o);
    t.check(group, `pruned: ${ref(o.object)} (no longer published)`, why === undefined, why ?? '');
  }
  progress.objects.push(second.objects.length);
  steps.push(`second publish applied and pruned in ${seconds.update.toFixed(1)}s`);

  // 6. self-heal: a hand edit of the changed ConfigMap is reverted
  const t2 = Date.now();
  const edit = await ctx.cluster.client.request(
    'PATCH',
    `/api/v1/namespaces/${changed.object.metadata.namespace}/configmaps/${changed.object.metadata.name}?fieldManager=${HAND}`,
    { data: { [CHANGED.key]: 'edited-by-hand' } },
    'application/merge-patch+json',
  );
  t.check(
    group,
    `hand edit of ${ref(changed.object)} (${CHANGED.key}=edited-by-hand) accepted`,
    edit.status === 200 && (edit.json<KubeObject>().data as Record<string, string> | undefined)?.[CHANGED.key] === 'edited-by-hand',
    `HTTP ${edit.status}: ${statusMessage(edit)}`,
  );
  let value: string | undefined = 'edited-by-hand';
  while (Date.now() - t2 < 60_000) {
    const live = await ctx.cluster.client.get(changed.object);
    value = (live?.data as Record<string, string> | undefined)?.[CHANGED.key];
    if (value === CHANGED.value) break;
    await sleep(100);
  }
  const healed = t.check(
    group,
    `self-heal: ${ref(changed.object)} ${CHANGED.key} back to ${CHANGED.value}`,
    value === CHANGED.value,
    `${CHANGED.key}=${value ?? '(unset)'} after 60s\n${argocd.logs()}`,
  );
  if (!healed) return stop('self-heal');
  seconds.heal = (Date.now() - t2) / 1000;
  steps.push(`hand edit healed in ${seconds.heal.toFixed(1)}s`);
  return true;
}
