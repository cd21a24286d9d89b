/**
 * The Helm half of one environment's e2e run: the umbrella chart of dist/<env>/ installed the way
 * the README says, with each helm binary (Helm 3 and Helm 4) on its own fresh API server (the
 * objects of a release must not collide with a kubectl-applied copy, nor with another release's):
 *   0. the operator CRDs from `make crds` (scripts/crds.ts), `kubectl apply --server-side -f` (the
 *      first binary; the others over HTTP)
 *   1. installs     `make install`'s scripts/install.ts: first (Helm 3 only) with the prerequisite
 *                   namespaces missing, which must stop it before anything is written and name
 *                   exactly those namespaces; then, once they exist, one install: templates first,
 *                   their constraint kinds awaited, then `helm upgrade --install`; revision 1
 *                   holds every object, the Gatekeeper constraints included
 *   2. upgrades     scripts/install.ts again, to a changed version: a copy of dist/<env>/ with one
 *                   ConfigMap key and one pod-template annotation added, packaged, re-versioned
 *                   (patch + 1), with `--set <component>.enabled=false` (podinfo when there)
 *   3. rolls back   `helm rollback platform 1`: the guards stay
 * After each step the release history must show every step so far (revision, status, chart
 * version, description) and the objects on the server must match that revision: every object the
 * revision renders exists and contains what dist/ says (Helm replaces the
 * app.kubernetes.io/managed-by label with "Helm" and adds its release annotations), and every
 * object only other revisions render is gone.
 *
 * The charts are packaged once per environment (prepareCharts, with helm 3) and shared by both.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { createNamespacesCommand } from '../lib/package/install';
import { writeCrdFiles } from '../scripts/crds';
import { createNamespaces, installCrds, kubectl, PhaseContext, prerequisiteNamespaces } from './apply-phase';
import { CONSTRAINTS_GROUP } from './gatekeeper';
import { ref } from './kube';
import { CrdDocument, DistObject, loadDistObjects, objectKey } from './objects';
import { Assertions, containsAll, run, RunResult } from './util';

export const RELEASE = 'platform';
export const RELEASE_NAMESPACE = 'bulwark-system';
/** The config key the upgrade adds to one component's overlay. */
export const CHANGED_KEY = 'BULWARK_E2E_REVISION';
/** The pod-template annotation the upgrade adds to one Deployment. */
export const CHANGED_ANNOTATION = 'bulwark.dev/e2e-revision';
/** The helm binaries of .tools/bin every environment is installed with. */
export const HELM_BINARIES = ['helm', 'helm4'] as const;
export type HelmBinary = (typeof HELM_BINARIES)[number];

export interface HelmPaths {
  readonly root: string;
  /** the dist/ directory under test */
  readonly dist: string;
  /** helm 3: packages the charts */
  readonly packager: string;
  readonly tsx: string;
  readonly version: string;
}

/** The two charts of an environment, packaged once for every helm binary. */
export interface HelmCharts {
  /** dist/<env>/ as committed */
  readonly chart1: string;
  /** the changed copy, version + 1 */
  readonly chart2: string;
  readonly v2Version: string;
  /** the component the upgrade disables */
  readonly disabled: string;
  readonly changes: readonly Changed[];
  /** every object of the changed copy, and those the upgrade installs (without `disabled`) */
  readonly v2All: readonly DistObject[];
  readonly v2: readonly DistObject[];
}

/** Packaging checks: recorded by the first helm binary's group. */
interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface HelmResult {
  readonly steps: string[];
  readonly ok: boolean;
  /** observations worth a line in the report */
  readonly notes: string[];
}

interface Revision {
  readonly revision: number;
  readonly status: string;
  readonly chart: string;
  readonly description: string;
}

function output(r: RunResult): string {
  return `$ ${r.command}\n${r.stdout}${r.stderr}`.trimEnd();
}

function bumpPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) throw new Error(`cannot bump version ${version}`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

/**
 * The changed version of an environment: a copy of dist/<env>/ in which the first ConfigMap gains
 * CHANGED_KEY and the pod template of the first Deployment gains the annotation
 * CHANGED_ANNOTATION (so the upgrade updates objects, not only deletes them). Derived from dist/
 * rather than re-synthesized from a modified overlay, so that this test depends only on what is
 * committed in dist/ and on the packager. Returns what was changed.
 */
interface Changed {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

function writeChangedCopy(envDir: string, skipComponent: string): Changed[] {
  const changed: Changed[] = [];
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) {
        if (d !== envDir || e.name !== skipComponent) walk(f);
      }
      else if (e.name.endsWith('.yaml')) files.push(f);
    }
  };
  walk(envDir);
  const edit = (kind: string, change: (doc: ReturnType<typeof parseDocument>) => void): void => {
    for (const f of files) {
      const doc = parseDocument(fs.readFileSync(f, 'utf8'));
      if (doc.get('kind') !== kind) continue;
      change(doc);
      fs.writeFileSync(f, doc.toString());
      changed.push({ kind, name: String(doc.getIn(['metadata', 'name'])), namespace: String(doc.getIn(['metadata', 'namespace']) ?? '') });
      return;
    }
  };
  edit('ConfigMap', (doc) => doc.setIn(['data', CHANGED_KEY], '2'));
  edit('Deployment', (doc) => doc.setIn(['spec', 'template', 'metadata', 'annotations', CHANGED_ANNOTATION], '2'));
  return changed;
}

function helmEnv(ctx: PhaseContext): NodeJS.ProcessEnv {
  const home = path.join(ctx.work, 'helm-home');
  return {
    ...process.env,
    KUBECONFIG: ctx.cluster.kubeconfig,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

async function history(helm: string, env: NodeJS.ProcessEnv): Promise<{ revisions: Revision[]; raw: RunResult }> {
  const raw = await run(helm, ['history', RELEASE, '-n', RELEASE_NAMESPACE, '-o', 'json'], { env });
  if (raw.code !== 0) return { revisions: [], raw };
  try {
    const list = JSON.parse(raw.stdout) as { revision: number; status: string; chart: string; description: string }[];
    return { revisions: list.map((r) => ({ revision: r.revision, status: r.status, chart: r.chart, description: r.description })), raw };
  } catch {
    return { revisions: [], raw };
  }
}

/** Packages dist/<env>/ and its changed copy (in `work`, dist/ itself is not touched). */
export async function prepareCharts(
  work: string,
  env: string,
  p: HelmPaths,
  base: readonly DistObject[],
): Promise<{ charts?: HelmCharts; checks: Check[] }> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail });
    return ok;
  };
  const pkg = (out: string) => run(p.tsx, ['main.ts', 'package', '--quiet', '--env', env, '--out', out], {
    cwd: p.root,
    env: { ...process.env, HELM: p.packager },
  });
  const copy = (to: string) => fs.cpSync(path.join(p.dist, env), path.join(to, env), { recursive: true, filter: (src) => !src.endsWith('.tgz') });

  // The component the upgrade disables: podinfo, the reference app, when the environment runs it.
  const components = [...new Set(base.map((o) => o.component))];
  const disabled = components.includes('podinfo')
    ? 'podinfo'
    : [...components].reverse().find((c) => !base.some((o) => o.component === c && o.object.kind === 'Namespace'));
  if (!check('a component the upgrade can disable', disabled !== undefined, components.join(', '))) return { checks };

  const v1Dir = path.join(work, 'v1');
  const v2Dist = path.join(work, 'v2');
  copy(v1Dir);
  copy(v2Dist);
  const changes = writeChangedCopy(path.join(v2Dist, env), disabled!);
  const changed = changes.map((c) => `${c.kind} ${c.name}`).join(', ') || 'nothing to change';
  check(`changed copy of dist/${env}: ${changed}`, changes.length > 0, '');
  const [pack1, pack2] = await Promise.all([pkg(v1Dir), pkg(v2Dist)]);
  const chart1 = path.join(v1Dir, env, `platform-${p.version}.tgz`);
  if (!check(`package dist/${env} as platform-${p.version}.tgz`, pack1.code === 0 && fs.existsSync(chart1), output(pack1))) return { checks };

  // The changed copy, re-versioned (patch + 1).
  const v2Version = bumpPatch(p.version);
  const unpacked = path.join(work, 'v2-chart');
  fs.mkdirSync(unpacked, { recursive: true });
  const untar = pack2.code === 0 ? await run('tar', ['-xzf', path.join(v2Dist, env, `platform-${p.version}.tgz`), '-C', unpacked]) : pack2;
  const repack = untar.code === 0
    ? await run(p.packager, ['package', path.join(unpacked, 'platform'), '--version', v2Version, '-d', path.join(work, 'v2-pkg')])
    : untar;
  const chart2 = path.join(work, 'v2-pkg', `platform-${v2Version}.tgz`);
  const packOutput = [pack2, untar, repack].map(output).join('\n');
  if (!check(`package the changed copy as platform-${v2Version}.tgz`, repack.code === 0 && fs.existsSync(chart2), packOutput)) return { checks };

  const v2All = loadDistObjects(p.root, v2Dist, env);
  const v2 = v2All.filter((o) => o.component !== disabled);
  return { charts: { chart1, chart2, v2Version, disabled: disabled!, changes, v2All, v2 }, checks };
}

let crdDir: Promise<string> | undefined;

/** `make crds` once per run: the operator CRDs of crds/sources.json, one file per module (removed at exit). */
function crdFiles(): Promise<string> {
  crdDir ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-e2e-crds-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    writeCrdFiles({ out: dir });
    return dir;
  })();
  return crdDir;
}

export interface LifecycleOptions {
  readonly paths: HelmPaths;
  /** the helm binary under test */
  readonly helm: string;
  /** the phase's group in the report, e.g. "prod helm4" */
  readonly group: string;
  /** the packaging checks, recorded by the first */
  readonly checks: readonly Check[];
  /** the CRDs of crds/sources.json, for the others */
  readonly crds: readonly CrdDocument[];
  /**
   * The first lifecycle of an environment also proves what does not depend on the helm binary:
   * the CRDs apply with the README's `kubectl apply --server-side -f` of `make crds`' files (the
   * others install the same CRDs over HTTP, a third of the API server's work: kubectl reads
   * their OpenAPI documents), and the install refuses to start without the prerequisite
   * namespaces.
   */
  readonly first: boolean;
}

export async function helmLifecycle(
  ctx: PhaseContext,
  opts: LifecycleOptions,
  charts: HelmCharts | undefined,
  base: readonly DistObject[],
): Promise<HelmResult> {
  const { group, helm } = opts;
  const p = opts.paths;
  const t: Assertions = ctx.t;
  const env = helmEnv(ctx);
  const steps: string[] = [];
  const notes: string[] = [];
  const fail = (why: string): HelmResult => {
    steps.push(`stopped: ${why}`);
    return { steps, ok: false, notes };
  };
  if (opts.first) for (const c of opts.checks) t.check(group, c.name, c.ok, c.detail);
  if (!charts) return fail('package');
  const { chart1, chart2, v2Version, disabled, changes, v2All, v2 } = charts;
  const installer = (chart: string, helmArgs: readonly string[]) => run(
    p.tsx,
    ['scripts/install.ts', '--env', ctx.env, '--chart', chart, '--timeout', '60', '--', ...helmArgs],
    { cwd: p.root, env: { ...env, HELM: helm, KUBECTL: ctx.kubectlBin }, timeoutMs: 300_000 },
  );

  // --- 0. the operator CRDs, as `make crds` writes them for a local cluster -------------------------
  if (opts.first) {
    const dir = await crdFiles();
    const applied = await kubectl(ctx, ['apply', '--server-side', '-f', dir]);
    const waitArgs = ['wait', '--for', 'condition=Established', '--timeout', '120s', '-f', dir];
    const established = applied.code === 0 ? await kubectl(ctx, waitArgs) : applied;
    const count = established.stdout.split('\n').filter((l) => l.includes('condition met')).length;
    const what = `make crds: ${count} CRDs applied with kubectl apply --server-side, Established`;
    const ok = t.check(group, what, established.code === 0, output(established));
    if (!ok) return fail('CRDs');
  } else if ((await installCrds(ctx, group, opts.crds)) !== opts.crds.length) {
    return fail('CRDs');
  }

  // --- expectations per revision -------------------------------------------------------------------
  const universe = new Map<string, DistObject>();
  for (const o of [...base, ...v2All]) universe.set(objectKey(o.object), o);
  const relabelled = new Set<string>();
  const matches = async (label: string, expected: readonly DistObject[]): Promise<void> => {
    const want = new Set(expected.map((o) => objectKey(o.object)));
    const problems: string[] = [];
    for (const o of expected) {
      const live = await ctx.cluster.client.get(o.object).catch((e: Error) => e);
      if (live instanceof Error || live === undefined) {
        problems.push(`${ref(o.object)}: ${live instanceof Error ? live.message : 'missing'}`);
        continue;
      }
      const diffs = containsAll(o.object, live, [['metadata', 'labels', 'app.kubernetes.io/managed-by']]);
      const declared = o.object.metadata.labels?.['app.kubernetes.io/managed-by'];
      const actual = live.metadata.labels?.['app.kubernetes.io/managed-by'];
      if (declared !== actual) relabelled.add(`${declared} -> ${actual}`);
      const ann = live.metadata.annotations ?? {};
      if (ann['meta.helm.sh/release-name'] !== RELEASE || ann['meta.helm.sh/release-namespace'] !== RELEASE_NAMESPACE) {
        diffs.push('missing Helm release annotations');
      }
      if (diffs.length) problems.push(`${ref(o.object)}: ${diffs.slice(0, 5).join('; ')}`);
    }
    t.check(group, `${label}: all ${expected.length} objects of the revision exist and match it`, problems.length === 0, problems.join('\n'));
    const stale: string[] = [];
    for (const [key, o] of universe) {
      if (want.has(key)) continue;
      const live = await ctx.cluster.client.get(o.object).catch(() => undefined);
      if (live !== undefined) stale.push(ref(o.object));
    }
    const others = universe.size - want.size;
    t.check(group, `${label}: the ${others} objects only other revisions render are absent`, stale.length === 0, stale.join('\n'));
  };
  // The changed values must be there in revision 2 only (the containment check above cannot see
  // a value that should have been removed).
  const changeMarkers = async (label: string, present: boolean): Promise<void> => {
    const wrong: string[] = [];
    for (const c of changes) {
      const live = await ctx.cluster.client.get({
        apiVersion: c.kind === 'ConfigMap' ? 'v1' : 'apps/v1',
        kind: c.kind,
        metadata: { name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) },
      });
      type PodTemplateSpec = { template?: { metadata?: { annotations?: Record<string, string> } } };
      const value =
        c.kind === 'ConfigMap'
          ? (live?.data as Record<string, string> | undefined)?.[CHANGED_KEY]
          : ((live?.spec as PodTemplateSpec | undefined)?.template?.metadata?.annotations ?? {})[CHANGED_ANNOTATION];
      const key = c.kind === 'ConfigMap' ? CHANGED_KEY : CHANGED_ANNOTATION;
      if ((value === '2') !== present) wrong.push(`${c.kind} ${c.name}: ${key} = ${JSON.stringify(value)}`);
    }
    const changed = changes.map((c) => `${c.kind} ${c.name}`).join(', ');
    t.check(group, `${label}: the changed values are ${present ? 'present' : 'absent'} (${changed})`, wrong.length === 0, wrong.join('\n'));
  };
  const expectHistory = async (label: string, want: Omit<Revision, 'revision'>[]): Promise<void> => {
    const { revisions, raw } = await history(helm, env);
    const got = revisions.map((r) => `${r.revision} ${r.status} ${r.chart} "${r.description}"`);
    const exp = want.map((r, i) => `${i + 1} ${r.status} ${r.chart} "${r.description}"`);
    t.check(
      group,
      `${label}: helm history shows ${want.length} revision(s): ${want.map((w) => w.description).join(', ')}`,
      JSON.stringify(got) === JSON.stringify(exp),
      `expected:\n${exp.join('\n')}\ngot:\n${got.join('\n') || output(raw)}`,
    );
  };
  const c1 = `platform-${p.version}`;
  const c2 = `platform-${v2Version}`;
  const constraints = base.filter((o) => o.object.apiVersion.startsWith(`${CONSTRAINTS_GROUP}/`));

  // --- 1. install: refused without the prerequisite namespaces, then one step ------------------------
  const prereqs = prerequisiteNamespaces(base);
  if (prereqs.length > 0 && opts.first) {
    const refused = await installer(chart1, []);
    const named = /namespaces? (.*) (?:does|do) not exist/.exec(refused.stderr)?.[1] ?? '';
    const listed = [...named.matchAll(/(?:^|; )([a-z0-9-]+) \(/g)].map((m) => m[1]);
    t.check(
      group,
      `install without the prerequisite namespaces stops, naming exactly them (${prereqs.join(', ')}) and how to create them`,
      refused.code === 1
        && JSON.stringify(listed) === JSON.stringify(prereqs)
        && refused.stderr.includes(createNamespacesCommand(prereqs)),
      output(refused),
    );
    const templates = await ctx.cluster.client.request('GET', '/apis/templates.gatekeeper.sh/v1/constrainttemplates');
    const none = templates.status === 200 && templates.json<{ items: unknown[] }>().items.length === 0;
    const noRelease = (await history(helm, env)).raw;
    t.check(
      group,
      'and writes nothing: no ConstraintTemplate, no release',
      none && noRelease.code !== 0 && /not found/.test(noRelease.stderr),
      `templates: HTTP ${templates.status} ${templates.body.slice(0, 200)}\n${output(noRelease)}`,
    );
  }
  await createNamespaces(ctx, group, prereqs);
  const install = await installer(chart1, []);
  if (!t.check(group, `install ${c1}.tgz (scripts/install.ts, as make install)`, install.code === 0, output(install))) return fail('install');
  const waited = /(\d+) constraint kinds Established after ([\d.]+)s/.exec(install.stdout);
  steps.push(`install r1 (${p.version}${waited ? `, ${waited[1]} constraint kinds awaited ${waited[2]}s` : ''})`);
  const history1 = [{ status: 'deployed', chart: c1, description: 'Install complete' }];
  await expectHistory('after install', history1);
  await matches('revision 1', base);
  await changeMarkers('revision 1', false);
  const manifest1 = await run(helm, ['get', 'manifest', RELEASE, '-n', RELEASE_NAMESPACE, '--revision', '1'], { env });
  const inRevision1 = parseAllDocuments(manifest1.stdout).map((d) => d.toJS() as { apiVersion?: string } | null)
    .filter((d) => d?.apiVersion?.startsWith(`${CONSTRAINTS_GROUP}/`)).length;
  t.check(
    group,
    `revision 1 holds all ${constraints.length} constraints (helm get manifest --revision 1)`,
    manifest1.code === 0 && inRevision1 === constraints.length,
    `${inRevision1} constraints\n${manifest1.stderr}`,
  );

  // --- 2. upgrade ----------------------------------------------------------------------------------
  const disableFlag = `${disabled}.enabled=false`;
  const upgrade = await installer(chart2, ['--set', disableFlag]);
  if (!t.check(group, `install ${c2}.tgz --set ${disableFlag} (an upgrade)`, upgrade.code === 0, output(upgrade))) return fail('upgrade');
  steps.push(`upgrade r2 (${v2Version}, ${disabled} off)`);
  const history2 = [
    { status: 'superseded', chart: c1, description: 'Install complete' },
    { status: 'deployed', chart: c2, description: 'Upgrade complete' },
  ];
  await expectHistory('after upgrade', history2);
  await matches('revision 2', v2);
  await changeMarkers('revision 2', true);

  // --- 3. rollback ---------------------------------------------------------------------------------
  const rollback = await run(helm, ['rollback', RELEASE, '1', '-n', RELEASE_NAMESPACE], { env, timeoutMs: 300_000 });
  if (!t.check(group, `helm rollback ${RELEASE} 1`, rollback.code === 0, output(rollback))) return fail('rollback');
  steps.push('rollback r3 (to r1, guards kept)');
  await expectHistory('after rollback', [
    ...history2.map((h) => ({ ...h, status: 'superseded' })),
    { status: 'deployed', chart: c1, description: 'Rollback to 1' },
  ]);
  await matches('revision 3 (= 1)', base);
  await changeMarkers('revision 3 (= 1)', false);

  // The live state after the rollback is exactly dist/<env>/ again, as kubectl sees it too.
  // Rollouts too: Argo Rollouts' Deployment, for components with delivery (its CRD is in sources.json).
  const list = await kubectl(ctx, ['get', 'deployments.apps,rollouts.argoproj.io', '-A', '-o', 'name']);
  const want = base.filter((o) => o.object.kind === 'Deployment' || o.object.kind === 'Rollout').length;
  const got = list.stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (relabelled.size > 0) notes.push(`Helm sets app.kubernetes.io/managed-by on every object it installs (${[...relabelled].join(', ')})`);
  const listed = `after the rollback kubectl lists the ${want} Deployments and Rollouts of dist/${ctx.env}`;
  t.check(group, listed, list.code === 0 && got === want, output(list));
  return { steps, ok: true, notes };
}
