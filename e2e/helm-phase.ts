/**
 * The Helm half of one environment's e2e run, against its own fresh API server (the objects of a
 * release must not collide with a kubectl-applied copy): the umbrella chart of dist/<env>/
 *   1. installs     `helm upgrade --install platform <chart> -n bulwark-system --create-namespace`
 *                   with the Gatekeeper constraints off, then enables them once their kinds exist
 *   2. upgrades     to a changed version: a copy of dist/<env>/ with one ConfigMap key and one
 *                   pod-template annotation added, packaged, re-versioned (patch + 1), installed
 *                   with `--set <component>.enabled=false` (podinfo when the environment has it)
 *   3. rolls back   `helm rollback` to the last revision of dist/<env>/ as committed
 * After each step the release history must show every step so far (revision, status, chart
 * version, description) and the objects on the server must match that revision: every object the
 * revision renders exists and contains what dist/ says (Helm replaces the
 * app.kubernetes.io/managed-by label with "Helm" and adds its release annotations), and every
 * object only other revisions render is gone.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { kubectl, PhaseContext } from './apply-phase';
import { constraintCrdFor } from './gatekeeper';
import { ref } from './kube';
import { DistObject, loadDistObjects, objectKey } from './objects';
import { containsAll, run, RunResult } from './util';

export const RELEASE = 'platform';
export const RELEASE_NAMESPACE = 'bulwark-system';
/** The config key the upgrade adds to one component's overlay. */
export const CHANGED_KEY = 'BULWARK_E2E_REVISION';
/** The pod-template annotation the upgrade adds to one Deployment. */
export const CHANGED_ANNOTATION = 'bulwark.dev/e2e-revision';
/** The subchart holding the Gatekeeper constraints, whose kinds exist only once Gatekeeper saw the templates. */
const GATEKEEPER_COMPONENT = 'gatekeeper';

/** Waits (up to 60 s) until every constraint kind of dist's ConstraintTemplates is an Established CRD. */
async function constraintKindsEstablished(
  ctx: PhaseContext,
  objects: readonly DistObject[],
): Promise<{ expected: number; missing: string[] }> {
  const names = objects.map((o) => constraintCrdFor(o.object)?.metadata.name).filter((n): n is string => n !== undefined);
  const deadline = Date.now() + 60_000;
  let missing = names;
  while (Date.now() < deadline) {
    const states = await Promise.all(names.map(async (name) => {
      const r = await ctx.cluster.client.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`).catch(() => undefined);
      type Crd = { status?: { conditions?: { type: string; status: string }[] } };
      const conditions = r?.status === 200 ? (r.json<Crd>().status?.conditions ?? []) : [];
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? undefined : name;
    }));
    missing = states.filter((n): n is string => n !== undefined);
    if (missing.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { expected: names.length, missing };
}

export interface HelmPaths {
  readonly root: string;
  /** the dist/ directory under test */
  readonly dist: string;
  readonly helm: string;
  readonly tsx: string;
  readonly version: string;
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

async function history(p: HelmPaths, env: NodeJS.ProcessEnv): Promise<{ revisions: Revision[]; raw: RunResult }> {
  const raw = await run(p.helm, ['history', RELEASE, '-n', RELEASE_NAMESPACE, '-o', 'json'], { env });
  if (raw.code !== 0) return { revisions: [], raw };
  try {
    const list = JSON.parse(raw.stdout) as { revision: number; status: string; chart: string; description: string }[];
    return { revisions: list.map((r) => ({ revision: r.revision, status: r.status, chart: r.chart, description: r.description })), raw };
  } catch {
    return { revisions: [], raw };
  }
}

export async function helmLifecycle(ctx: PhaseContext, p: HelmPaths, base: readonly DistObject[]): Promise<HelmResult> {
  const group = `${ctx.env} helm`;
  const t = ctx.t;
  const helmHome = path.join(ctx.work, 'helm-home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: ctx.cluster.kubeconfig,
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
  };
  const steps: string[] = [];
  const notes: string[] = [];
  const fail = (why: string): HelmResult => {
    steps.push(`stopped: ${why}`);
    return { steps, ok: false, notes };
  };

  // --- the two charts ----------------------------------------------------------------------------
  // v1: dist/<env>/ as committed, packaged in a scratch copy (dist/ itself is not touched).
  const v1Dir = path.join(ctx.work, 'v1');
  fs.mkdirSync(v1Dir, { recursive: true });
  fs.cpSync(path.join(p.dist, ctx.env), path.join(v1Dir, ctx.env), { recursive: true, filter: (src) => !src.endsWith('.tgz') });
  const pack1 = await run(p.tsx, ['main.ts', 'package', '--quiet', '--env', ctx.env, '--out', v1Dir], {
    cwd: p.root,
    env: { ...process.env, HELM: p.helm },
  });
  const chart1 = path.join(v1Dir, ctx.env, `platform-${p.version}.tgz`);
  const packed1 = pack1.code === 0 && fs.existsSync(chart1);
  if (!t.check(group, `package dist/${ctx.env} as platform-${p.version}.tgz`, packed1, output(pack1))) return fail('package');

  // The component the upgrade disables: podinfo, the reference app, when the environment runs it.
  const components = [...new Set(base.map((o) => o.component))];
  const disabled = components.includes('podinfo')
    ? 'podinfo'
    : [...components].reverse().find((c) => !base.some((o) => o.component === c && o.object.kind === 'Namespace'));
  if (!disabled) return fail('no component to disable');

  // v2: a changed copy of dist/<env>/, packaged, then re-versioned (patch + 1).
  const v2Dist = path.join(ctx.work, 'v2');
  fs.mkdirSync(v2Dist, { recursive: true });
  fs.cpSync(path.join(p.dist, ctx.env), path.join(v2Dist, ctx.env), { recursive: true, filter: (src) => !src.endsWith('.tgz') });
  const changes = writeChangedCopy(path.join(v2Dist, ctx.env), disabled);
  const changed = changes.map((c) => `${c.kind} ${c.name}`).join(', ') || 'nothing to change';
  t.check(group, `changed copy of dist/${ctx.env}: ${changed}`, changes.length > 0);
  const pack2 = await run(p.tsx, ['main.ts', 'package', '--quiet', '--env', ctx.env, '--out', v2Dist], {
    cwd: p.root,
    env: { ...process.env, HELM: p.helm },
  });
  const v2Version = bumpPatch(p.version);
  const unpacked = path.join(ctx.work, 'v2-chart');
  fs.mkdirSync(unpacked, { recursive: true });
  const untar = pack2.code === 0 ? await run('tar', ['-xzf', path.join(v2Dist, ctx.env, `platform-${p.version}.tgz`), '-C', unpacked]) : pack2;
  const repack = untar.code === 0
    ? await run(p.helm, ['package', path.join(unpacked, 'platform'), '--version', v2Version, '-d', path.join(ctx.work, 'v2-pkg')], { env })
    : untar;
  const chart2 = path.join(ctx.work, 'v2-pkg', `platform-${v2Version}.tgz`);
  const packed2 = repack.code === 0 && fs.existsSync(chart2);
  const packOutput = [pack2, untar, repack].map(output).join('\n');
  if (!t.check(group, `package the changed copy as platform-${v2Version}.tgz`, packed2, packOutput)) return fail('package v2');

  const v2All = loadDistObjects(p.root, v2Dist, ctx.env);
  const v2 = v2All.filter((o) => o.component !== disabled);

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
    const { revisions, raw } = await history(p, env);
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

  // --- 1. install, guards second --------------------------------------------------------------------
  // Gatekeeper creates a constraint kind only once it has seen its ConstraintTemplate, and Helm
  // checks every kind of a release before creating anything: the first install leaves the
  // constraints out (README: "first install"), the upgrade right after adds them.
  const bootstrap = base.filter((o) => o.component !== GATEKEEPER_COMPONENT);
  const hasGuards = bootstrap.length !== base.length;
  const firstArgs = hasGuards ? ['--set', `${GATEKEEPER_COMPONENT}.enabled=false`] : [];
  const install = await run(p.helm, ['upgrade', '--install', RELEASE, chart1, '-n', RELEASE_NAMESPACE, '--create-namespace', ...firstArgs], {
    env,
    timeoutMs: 300_000,
  });
  const installed = `helm upgrade --install ${RELEASE} ${c1}.tgz -n ${RELEASE_NAMESPACE} --create-namespace ${firstArgs.join(' ')}`.trim();
  if (!t.check(group, installed, install.code === 0, output(install))) return fail('install');
  steps.push(`install r1 (${p.version}${hasGuards ? ', constraints off' : ''})`);
  const history1 = [{ status: 'deployed', chart: c1, description: 'Install complete' }];
  await expectHistory('after install', history1);
  await matches('revision 1', bootstrap);
  let revision = 1;
  let full = 1;
  if (hasGuards) {
    const kinds = await constraintKindsEstablished(ctx, base);
    t.check(
      group,
      `Gatekeeper (stand-in) registered the ${kinds.expected} constraint kinds of the installed templates`,
      kinds.missing.length === 0,
      kinds.missing.join('\n'),
    );
    // Explicitly: without any value flag, helm upgrade reuses the previous release's values.
    const enableFlag = `${GATEKEEPER_COMPONENT}.enabled=true`;
    const enable = await run(p.helm, ['upgrade', RELEASE, chart1, '-n', RELEASE_NAMESPACE, '--set', enableFlag], { env, timeoutMs: 300_000 });
    const enabled = t.check(group, `helm upgrade ${RELEASE} ${c1}.tgz --set ${enableFlag}`, enable.code === 0, output(enable));
    if (!enabled) return fail('enable constraints');
    steps.push(`upgrade r2 (${p.version}, constraints on)`);
    history1[0].status = 'superseded';
    history1.push({ status: 'deployed', chart: c1, description: 'Upgrade complete' });
    await expectHistory('after enabling the constraints', history1);
    revision = full = 2;
  }
  await matches(`revision ${revision}`, base);
  await changeMarkers(`revision ${revision}`, false);

  // --- 2. upgrade ----------------------------------------------------------------------------------
  const disableFlag = `${disabled}.enabled=false`;
  const upgrade = await run(p.helm, ['upgrade', RELEASE, chart2, '-n', RELEASE_NAMESPACE, '--set', disableFlag], { env, timeoutMs: 300_000 });
  if (!t.check(group, `helm upgrade ${RELEASE} ${c2}.tgz --set ${disableFlag}`, upgrade.code === 0, output(upgrade))) return fail('upgrade');
  revision += 1;
  steps.push(`upgrade r${revision} (${v2Version}, ${disabled} off)`);
  const history2 = [...history1.map((h) => ({ ...h, status: 'superseded' })), { status: 'deployed', chart: c2, description: 'Upgrade complete' }];
  await expectHistory('after upgrade', history2);
  await matches(`revision ${revision}`, v2);
  await changeMarkers(`revision ${revision}`, true);

  // --- 3. rollback ---------------------------------------------------------------------------------
  const rollback = await run(p.helm, ['rollback', RELEASE, String(full), '-n', RELEASE_NAMESPACE], { env, timeoutMs: 300_000 });
  if (!t.check(group, `helm rollback ${RELEASE} ${full}`, rollback.code === 0, output(rollback))) return fail('rollback');
  revision += 1;
  steps.push(`rollback r${revision} (to r${full})`);
  await expectHistory('after rollback', [
    ...history2.map((h) => ({ ...h, status: 'superseded' })),
    { status: 'deployed', chart: c1, description: `Rollback to ${full}` },
  ]);
  await matches(`revision ${revision} (= ${full})`, base);
  await changeMarkers(`revision ${revision} (= ${full})`, false);

  // The live state after the rollback is exactly dist/<env>/ again, as kubectl sees it too.
  const list = await kubectl(ctx, ['get', 'deployments', '-A', '-o', 'name']);
  const want = base.filter((o) => o.object.kind === 'Deployment').length;
  const got = list.stdout.split('\n').filter((l) => l.trim() !== '').length;
  if (relabelled.size > 0) notes.push(`Helm sets app.kubernetes.io/managed-by on every object it installs (${[...relabelled].join(', ')})`);
  t.check(group, `after the rollback kubectl lists the ${want} Deployments of dist/${ctx.env}`, list.code === 0 && got === want, output(list));
  return { steps, ok: true, notes };
}
