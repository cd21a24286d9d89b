/**
 * The offline policy tests run by `scripts/test.sh policy` (part of `make test`), one command per
 * counted check:
 *
 *   npx tsx scripts/policy-test.ts suites [--out DIR]   write the gator verify suites (default .build/policy),
 *                                                       print "<dir> <engine> <cases> <invalid>" per suite
 *   npx tsx scripts/policy-test.ts dist <env>           gator test: dist/<env> passes its own constraints and
 *                                                       admission policies (as K8sNativeValidation templates)
 *   npx tsx scripts/policy-test.ts admitted <env>       gator test: the pods admitted for dist/<env>'s workloads
 *                                                       (with the containers Istio and Vault Agent inject) pass them too
 *   npx tsx scripts/policy-test.ts mutation <env>       gator expand: the env's mutators bring workloads created
 *                                                       outside this repo up to the rules, and only in scope
 *   npx tsx scripts/policy-test.ts falco <env>          the Falco rules ConfigMap of dist/<env> is structurally sound
 *   npx tsx scripts/policy-test.ts keys [DIR]           no literal key material anywhere below DIR (default dist)
 *
 * Exit code 0 when the check holds, 1 when it does not (with the reasons on stderr), 2 on misuse.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { loadOverlays } from '../lib/config/load-overlay';
import { findKeyMaterial } from '../lib/manifest/key-material';
import { outputFiles, readOutputObjects } from '../lib/manifest/manifest-reader';
import { podTemplatePath, WORKLOAD_KINDS } from '../lib/manifest/workload-kinds';
import { JsonValue, toYaml } from '../lib/manifest/yaml-emitter';
import { celConstraintManifest, celTemplateManifest } from '../lib/policy/admission-policy';
import { lintFalcoRules } from '../lib/policy/falco-lint';
import { compliantContainer, workload } from '../lib/policy/fixtures';
import { gatorSuites } from '../lib/policy/gator-suites';
import { policyObjectName } from '../lib/policy/names';
import { JsonObject } from '../lib/policy/policy-definition';
import { ALL_POLICIES, noPrivileged, podSecurityRestricted, requiredLabels } from '../lib/policy/rules';
import { admittedPod, Workload } from './admitted-pods';

const ROOT = path.resolve(__dirname, '..');
const GATOR = path.join(ROOT, '.tools', 'bin', 'gator');
const DIST = path.join(ROOT, 'dist');

class CheckFailed extends Error {}

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
} & Record<string, unknown>;

function gator(...args: string[]): string {
  if (!fs.existsSync(GATOR)) throw new Error(`${path.relative(ROOT, GATOR)} is missing: run make setup`);
  try {
    return execFileSync(GATOR, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    // gator test exits 1 when a deny-constraint is violated; its JSON report is still on stdout.
    if (err.status === 1 && args[0] === 'test' && err.stdout) return err.stdout;
    throw new CheckFailed(`gator ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

function writeDocs(file: string, docs: readonly unknown[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, docs.map((d) => toYaml(d as JsonValue)).join('---\n'));
}

/** dist/<env>, or CheckFailed when there is none. */
function envDir(env: string): string {
  const dir = path.join(DIST, env);
  if (!fs.existsSync(dir)) throw new CheckFailed(`${path.relative(ROOT, dir)} does not exist: run make synth`);
  return dir;
}

/** The cluster objects of dist/<env> (no API-server files, no packages). */
function clusterObjects(env: string): Doc[] {
  return readOutputObjects(envDir(env)).map((o) => o.object as Doc);
}

function withTemp<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-policy-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface GatorResult {
  msg: string;
  constraint: { kind: string; metadata: { name: string } };
  violatingObject?: { kind: string; metadata: { name: string; namespace?: string } };
}

function violations(output: string): GatorResult[] {
  const parsed: unknown = output.trim() === '' ? [] : JSON.parse(output);
  return Array.isArray(parsed) ? (parsed as GatorResult[]) : [];
}

function describe(r: GatorResult): string {
  const o = r.violatingObject;
  return `${r.constraint.kind}/${r.constraint.metadata.name}: ${o ? `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}: ` : ''}${r.msg}`;
}

// ---------------------------------------------------------------------------------------------

function suites(outDir: string): void {
  const { files, suites: summary } = gatorSuites(ALL_POLICIES);
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [rel, content] of files) {
    fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(outDir, rel), content);
  }
  for (const s of summary) process.stdout.write(`${s.dir} ${s.engine} ${s.cases} ${s.invalid}\n`);
}

/** A ValidatingAdmissionPolicy of dist/<env> as a Gatekeeper CEL template and its constraint, on the kinds its rule judges. */
function admissionTwin(env: string, vap: { metadata: { name: string } }): JsonObject[] {
  const policy = ALL_POLICIES.find((p) => policyObjectName(p.id, env) === vap.metadata.name);
  if (!policy) throw new CheckFailed(`dist/${env}: admission policy ${vap.metadata.name} is no rule's`);
  const template = celTemplateManifest(vap as unknown as JsonObject);
  return [template, celConstraintManifest(template, policy.targets)];
}

/** dist/<env> judged by its own templates and constraints, and by its admission policies' CEL. */
function distPasses(env: string): void {
  const objects = clusterObjects(env);
  const vaps = objects.filter((d) => d.kind === 'ValidatingAdmissionPolicy');
  const constraints = objects.filter((d) => d.apiVersion.startsWith('constraints.gatekeeper.sh/'));
  if (constraints.length !== ALL_POLICIES.length) {
    throw new CheckFailed(`dist/${env} holds ${constraints.length} constraints, expected ${ALL_POLICIES.length}`);
  }
  if (vaps.length !== ALL_POLICIES.filter((p) => p.admission).length) throw new CheckFailed(`dist/${env} holds ${vaps.length} admission policies`);
  withTemp((dir) => {
    const cel = vaps.flatMap((vap) => admissionTwin(env, vap));
    writeDocs(path.join(dir, 'admission-twins.yaml'), cel);
    const found = violations(gator('test', '-o', 'json', ...outputFiles(envDir(env), ['object']).flatMap((f) => ['-f', f.path]), '-f', dir));
    if (found.length > 0) throw new CheckFailed(`dist/${env} breaks its own policies:\n${found.map(describe).join('\n')}`);
    process.stdout.write(`dist/${env}: ${constraints.length} constraints and ${vaps.length} admission policies, 0 violations\n`);
  });
}

/**
 * The pods the API server would admit for dist/<env>'s workloads, each with the containers the
 * injectors add (scripts/admitted-pods.ts, sized by the overlay's mesh.proxy), judged by the env's
 * own templates, constraints and admission policies: a guard that denies them denies the platform.
 */
function admittedPass(env: string): void {
  const loaded = loadOverlays(path.join(ROOT, 'overlays')).find((o) => o.overlay.environment === env);
  if (!loaded) throw new CheckFailed(`no overlay of overlays/ is environment ${env}`);
  const mesh = loaded.overlay.mesh;
  const objects = clusterObjects(env);
  const pods = objects.flatMap((o) => admittedPod(o as Workload, mesh) ?? []);
  if (pods.length === 0) throw new CheckFailed(`dist/${env} has no workloads to admit`);
  const guards = objects.filter((d) =>
    d.kind === 'ConstraintTemplate' || d.kind === 'Namespace' || d.apiVersion.startsWith('constraints.gatekeeper.sh/'));
  const vaps = objects.filter((d) => d.kind === 'ValidatingAdmissionPolicy');
  withTemp((dir) => {
    const cel = vaps.flatMap((vap) => admissionTwin(env, vap));
    writeDocs(path.join(dir, 'guards.yaml'), [...guards, ...cel]);
    writeDocs(path.join(dir, 'pods.yaml'), pods);
    const found = violations(gator('test', '-o', 'json', '-f', dir));
    if (found.length > 0) throw new CheckFailed(`dist/${env}: admitted pods break its own policies:\n${found.map(describe).join('\n')}`);
    process.stdout.write(`dist/${env}: ${pods.length} admitted pods (with the injected containers), 0 violations\n`);
  });
}

// ---------------------------------------------------------------------------------------------

/** Gatekeeper ExpansionTemplates turning each workload kind (and a PodTemplate, for bare pods) into its Pod. */
function expansionTemplates(): unknown[] {
  const sources = [
    ...WORKLOAD_KINDS.filter((k) => podTemplatePath(k) !== undefined)
      .map((k) => ({ group: k.group, version: k.version, kind: k.kind, source: podTemplatePath(k)! })),
    { group: '', version: 'v1', kind: 'PodTemplate', source: 'template' },
  ];
  return sources.map((s) => ({
    apiVersion: 'expansion.gatekeeper.sh/v1beta1',
    kind: 'ExpansionTemplate',
    metadata: { name: `expand-${s.kind.toLowerCase()}` },
    spec: {
      applyTo: [{ groups: [s.group], versions: [s.version], kinds: [s.kind] }],
      templateSource: s.source,
      generatedGVK: { group: '', version: 'v1', kind: 'Pod' },
    },
  }));
}

/** A workload as someone outside this repo writes it: no labels, no securityContext. */
function outsideWorkload(kind: string, name: string, namespace: string, container: Record<string, JsonValue> = {}): JsonObject {
  const bare = { name: 'app', image: 'ghcr.io/bulwark-platform/tool:1.0.0', resources: compliantContainer().resources, ...container };
  if (kind === 'PodTemplate') {
    return {
      apiVersion: 'v1',
      kind,
      metadata: { name, namespace },
      template: { metadata: {}, spec: { containers: [bare], initContainers: [{ ...bare, name: 'init' }] } },
    };
  }
  const o = workload({ kind, name, namespace, labels: {}, podSpec: { containers: [bare], initContainers: [{ ...bare, name: 'init' }] } }) as Doc;
  const strip = (t: { metadata?: unknown } | undefined) => {
    if (t) t.metadata = {};
  };
  const spec = o.spec as { template?: { metadata?: unknown }; jobTemplate?: { spec: { template: { metadata?: unknown } } }; selector?: unknown };
  strip(spec.template);
  strip(spec.jobTemplate?.spec.template);
  if (spec.selector) spec.selector = { matchLabels: { app: name } };
  if (spec.template) spec.template.metadata = { labels: { app: name } };
  return o as unknown as JsonObject;
}

/** The env's mutators applied by gator expand; the resulting pods judged by the env's own rules. */
function mutation(env: string): void {
  const docs = clusterObjects(env);
  const mutators = docs.filter((d) => d.apiVersion.startsWith('mutations.gatekeeper.sh/'));
  const namespaces = docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name);
  const guarded = namespaces[0];
  const constraint = docs.find((d) => d.apiVersion.startsWith('constraints.gatekeeper.sh/') && d.metadata.name === podSecurityRestricted.id);
  if (!guarded || !constraint || mutators.length === 0) throw new CheckFailed(`dist/${env} has no namespace, constraint or mutators to test`);
  const match = (constraint.spec as { match: { namespaces?: string[]; excludedNamespaces?: string[] } }).match;
  const outside = match.excludedNamespaces?.[0] ?? 'elsewhere';
  const problems: string[] = [];

  withTemp((dir) => {
    const inputs = [
      ...[guarded, outside].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      outsideWorkload('Deployment', 'bare-deployment', guarded),
      outsideWorkload('CronJob', 'bare-cronjob', guarded),
      outsideWorkload('PodTemplate', 'bare-pod', guarded),
      outsideWorkload('Deployment', 'explicit-escalation', guarded, { securityContext: { allowPrivilegeEscalation: true } }),
      outsideWorkload('Deployment', 'out-of-scope', outside),
    ];
    writeDocs(path.join(dir, 'input', 'workloads.yaml'), [...inputs, ...expansionTemplates()]);
    writeDocs(path.join(dir, 'input', 'mutators.yaml'), mutators);
    const pods = parseAllDocuments(gator('expand', '-n', path.join(dir, 'input'), '-f', 'yaml'))
      .map((d) => d.toJS() as Doc)
      .filter((d) => d !== null);
    const pod = (owner: string) => pods.find((p) => p.metadata.name.startsWith(`${owner}-`));

    for (const owner of ['bare-deployment', 'bare-cronjob', 'bare-pod']) {
      const p = pod(owner);
      if (!p) {
        problems.push(`${owner}: gator expand produced no pod`);
        continue;
      }
      type Container = { securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } } };
      const spec = p.spec as {
        securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type?: string } };
        containers: Container[];
        initContainers: Container[];
      };
      const labels = p.metadata.labels ?? {};
      const expectedName = owner === 'bare-pod' ? p.metadata.name : owner;
      if (labels['app.kubernetes.io/name'] !== expectedName) {
        problems.push(`${owner}: pod label app.kubernetes.io/name is ${labels['app.kubernetes.io/name']}, expected ${expectedName}`);
      }
      if (labels['app.kubernetes.io/part-of'] !== 'bulwark') problems.push(`${owner}: pod has no app.kubernetes.io/part-of: bulwark`);
      if (spec.securityContext?.runAsNonRoot !== true) problems.push(`${owner}: pod runAsNonRoot not defaulted`);
      if (spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${owner}: pod seccompProfile not defaulted`);
      for (const c of [...spec.containers, ...spec.initContainers]) {
        if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${owner}: a container's allowPrivilegeEscalation not defaulted`);
        if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${owner}: a container's capabilities not dropped`);
      }
    }
    const kept = pod('explicit-escalation');
    type KeptSpec = { containers: { securityContext?: { allowPrivilegeEscalation?: boolean } }[] };
    const keptEscalation = (kept?.spec as KeptSpec | undefined)?.containers[0].securityContext?.allowPrivilegeEscalation;
    if (keptEscalation !== true) problems.push('explicit-escalation: a mutator overwrote an explicit allowPrivilegeEscalation: true');
    const untouched = pod('out-of-scope');
    if (!untouched) problems.push('out-of-scope: gator expand produced no pod');
    else if (untouched.metadata.labels?.['app.kubernetes.io/part-of'] || (untouched.spec as { securityContext?: unknown }).securityContext) {
      problems.push(`out-of-scope: a pod in ${outside} was mutated`);
    }

    // The mutated pods are judged by the env's own templates and constraints.
    const rules = [podSecurityRestricted, noPrivileged, requiredLabels].map((r) => r.id);
    const judged = docs.filter((d) =>
      d.kind === 'ConstraintTemplate'
        || (d.apiVersion.startsWith('constraints.gatekeeper.sh/') && rules.includes(d.metadata.name)));
    writeDocs(path.join(dir, 'judge', 'policy.yaml'), judged);
    writeDocs(path.join(dir, 'judge', 'pods.yaml'), pods.filter((p) => !p.metadata.name.startsWith('out-of-scope-')));
    const found = violations(gator('test', '-o', 'json', '-f', path.join(dir, 'judge')));
    const byPod = (owner: string) => found.filter((r) => r.violatingObject?.metadata.name.startsWith(`${owner}-`));
    for (const owner of ['bare-deployment', 'bare-cronjob', 'bare-pod']) {
      problems.push(...byPod(owner).map((r) => `${owner}: still violates after mutation: ${describe(r)}`));
    }
    if (byPod('explicit-escalation').length === 0) {
      problems.push('explicit-escalation: an explicit allowPrivilegeEscalation: true passed the rules');
    }
  });
  if (problems.length > 0) throw new CheckFailed(problems.join('\n'));
  process.stdout.write(
    `${env}: ${mutators.length} mutators; 3 outside workloads brought up to the rules, an explicit setting kept and judged, ${outside} untouched\n`,
  );
}

// ---------------------------------------------------------------------------------------------

/** The rules the platform promises in every environment (README, "Policy"). */
const PLATFORM_FALCO_RULES = ['shell in a container', 'write below /etc', 'unexpected outbound connection from the AI agent'];

function falco(env: string): void {
  const maps = clusterObjects(env).filter((d) => d.kind === 'ConfigMap' && d.metadata.name.endsWith('-falco-rules'));
  if (maps.length === 0) throw new CheckFailed(`dist/${env} has no Falco rules ConfigMap`);
  const problems: string[] = [];
  const rules: string[] = [];
  for (const m of maps) {
    for (const [key, text] of Object.entries((m.data as Record<string, string> | undefined) ?? {})) {
      problems.push(...lintFalcoRules(text).map((p) => `${m.metadata.name}/${key}: ${p}`));
      rules.push(...[...text.matchAll(/^- rule: "?([^"\n]*)"?$/gm)].map((r) => r[1]));
    }
  }
  for (const expected of PLATFORM_FALCO_RULES) {
    if (!rules.some((r) => r.includes(expected))) problems.push(`no rule "Bulwark ${env}: ${expected}…"`);
  }
  if (problems.length > 0) throw new CheckFailed(problems.join('\n'));
  process.stdout.write(
    `${env}: ${rules.length} Falco rules (the platform's ${PLATFORM_FALCO_RULES.length} present), every macro and list defined, conditions parse\n`,
  );
}

function keys(dir: string): void {
  const problems: string[] = [];
  let files = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name)) {
        files++;
        problems.push(...findKeyMaterial(fs.readFileSync(p, 'utf8')).map((f) => `${path.relative(ROOT, p)}: ${f}`));
      }
    }
  };
  walk(dir);
  if (problems.length > 0) throw new CheckFailed(`literal key material would be committed:\n${problems.join('\n')}`);
  process.stdout.write(`${files} files, no key material\n`);
}

const USAGE = 'usage: npx tsx scripts/policy-test.ts suites [--out DIR] | dist <env> | admitted <env> | mutation <env> | falco <env> | keys [DIR]';

function main(argv: string[]): number {
  const [command, arg, value] = argv;
  try {
    switch (command) {
      case 'suites':
        suites(arg === '--out' && value ? path.resolve(value) : path.join(ROOT, '.build', 'policy'));
        return 0;
      case 'dist':
      case 'admitted':
      case 'mutation':
      case 'falco':
        if (!arg) break;
        ({ dist: distPasses, admitted: admittedPass, mutation, falco })[command](arg);
        return 0;
      case 'keys':
        keys(path.resolve(arg ?? DIST));
        return 0;
      default:
    }
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
