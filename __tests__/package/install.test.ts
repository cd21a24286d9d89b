import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../../lib/manifest/kube-object';
import { readOutputObjects } from '../../lib/manifest/manifest-reader';
import { toYamlStream } from '../../lib/manifest/yaml-emitter';
import { installChart, InstallEnvironment, InstallOptions, ProgramResult } from '../../lib/package/install';
import { adoptedBy, constraintCrdName, planInstall } from '../../lib/package/install-plan';
import { writeTreeAtomically } from '../../lib/synth/atomic-writer';
import { synthesize } from '../../lib/synth/pipeline';
import { parseInstallArgs } from '../../scripts/install';
import { loadOverlay } from '../helpers';

const RELEASE = { name: 'platform', namespace: 'bulwark-system' };

const template: KubeObject = {
  apiVersion: 'templates.gatekeeper.sh/v1',
  kind: 'ConstraintTemplate',
  metadata: { name: 'bulwarkdevnolatest', labels: { 'app.kubernetes.io/managed-by': 'bulwark' } },
  spec: { crd: { spec: { names: { kind: 'BulwarkDevNoLatest' } } }, targets: [] },
};
const constraint: KubeObject = {
  apiVersion: 'constraints.gatekeeper.sh/v1beta1',
  kind: 'BulwarkDevNoLatest',
  metadata: { name: 'bulwark-dev-no-latest' },
  spec: {},
};
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulwark-dev' } };
const configMap = (name: string, ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
const certificate: KubeObject = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'bulwark-dev-frontend-tls', namespace: 'istio-system' },
};
const OBJECTS = [namespace, configMap('app', 'bulwark-dev'), configMap('rules', 'falco'), certificate, template, constraint];

describe('planInstall', () => {
  const plan = planInstall(OBJECTS, RELEASE);

  test('the templates come first, adopted by the release: Helm\'s label and annotations', () => {
    expect(plan.templates).toEqual([adoptedBy(template, RELEASE)]);
    expect(plan.templates[0].metadata).toEqual({
      name: 'bulwarkdevnolatest',
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'platform', 'meta.helm.sh/release-namespace': 'bulwark-system' },
    });
    expect([...plan.constraintCrds]).toEqual([['bulwarkdevnolatest', 'bulwarkdevnolatest.constraints.gatekeeper.sh']]);
  });

  test('prerequisite namespaces: used, not created by the chart, not the release namespace', () => {
    const inRelease = configMap('x', 'bulwark-system');
    const p = planInstall([...OBJECTS, inRelease], RELEASE);
    expect([...p.prerequisiteNamespaces.keys()]).toEqual(['falco', 'istio-system']);
    expect(p.prerequisiteNamespaces.get('istio-system')).toEqual([certificate]);
  });

  test('needed kinds: every kind but the constraint kinds the templates define', () => {
    expect(plan.kinds.map((k) => `${k.apiVersion} ${k.kind} ${k.objects.length}`)).toEqual([
      'v1 Namespace 1',
      'v1 ConfigMap 2',
      'cert-manager.io/v1 Certificate 1',
      'templates.gatekeeper.sh/v1 ConstraintTemplate 1',
    ]);
    // A constraint whose template is not installed stays a kind that must be served.
    expect(planInstall([constraint], RELEASE).kinds.map((k) => k.kind)).toEqual(['BulwarkDevNoLatest']);
  });

  test('every constraint of a synthesized environment has its template in the plan', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-install-'));
    writeTreeAtomically(dist, synthesize([loadOverlay('prod')], { platformVersion: '1.2.3' }).files);
    const objects = readOutputObjects(path.join(dist, 'prod')).map((o) => o.object);
    fs.rmSync(dist, { recursive: true, force: true });
    const p = planInstall(objects, RELEASE);
    const constraints = objects.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/'));
    expect(constraints.length).toBeGreaterThan(0);
    expect(p.kinds.filter((k) => k.apiVersion.startsWith('constraints.gatekeeper.sh/'))).toEqual([]);
    expect(new Set(p.constraintCrds.values())).toEqual(new Set(constraints.map((c) => constraintCrdName(c.kind))));
    expect([...p.prerequisiteNamespaces.keys()]).toEqual(['cert-manager', 'falco', 'istio-system']);
  });

  test('fails on a ConstraintTemplate that names no constraint kind', () => {
    const nameless = { ...template, spec: { crd: { spec: {} } } };
    expect(() => planInstall([nameless], RELEASE))
      .toThrow(
        'ConstraintTemplate/bulwarkdevnolatest: spec.crd.spec.names.kind is missing; '
          + 'a ConstraintTemplate must name the constraint kind it defines',
      );
  });
});

/** A cluster as kubectl and helm see it, playing Gatekeeper: it creates a constraint CRD `crdDelay` polls after its template. */
class FakeCluster implements InstallEnvironment {
  readonly calls: string[] = [];
  readonly applied: KubeObject[] = [];
  namespaces = new Set(['default', 'falco', 'istio-system']);
  served: Record<string, string[]> = {
    v1: ['Namespace', 'ConfigMap'],
    'cert-manager.io/v1': ['Certificate'],
    'templates.gatekeeper.sh/v1': ['ConstraintTemplate'],
  };
  /** Served, but not the preferred version of their group: kubectl api-resources does not list them. */
  notPreferred = new Set(['cert-manager.io/v1']);
  existingTemplates: KubeObject[] = [];
  crdDelay = 2;
  gatekeeperRuns = true;
  helmTemplate: ProgramResult = { code: 0, stdout: toYamlStream(OBJECTS as never), stderr: '' };
  helmUpgrade: ProgramResult = { code: 0, stdout: 'Release "platform" does not exist. Installing it now.\nSTATUS: deployed\n', stderr: '' };
  private clock = 0;
  private polls = 0;

  readonly now = (): number => this.clock;
  readonly sleep = async (ms: number): Promise<void> => {
    this.clock += ms;
  };

  readonly run = async (command: string, args: readonly string[], input?: string): Promise<ProgramResult> => {
    this.calls.push(`${command} ${args.join(' ')}`);
    const ok = (stdout: string): ProgramResult => ({ code: 0, stdout, stderr: '' });
    const [verb, what] = args;
    if (path.basename(command).startsWith('helm')) return verb === 'template' ? this.helmTemplate : this.helmUpgrade;
    if (verb === 'get' && what === 'namespaces') {
      return ok(args.slice(2).filter((n) => this.namespaces.has(n)).map((n) => `namespace/${n}\n`).join(''));
    }
    if (verb === 'api-resources') {
      const rows = Object.entries(this.served).filter(([gv]) => !this.notPreferred.has(gv))
        .flatMap(([gv, kinds]) => kinds.map((kind) => `${kind.toLowerCase()}s  ${kind === 'ConfigMap' ? 'cm ' : ''} ${gv}  true  ${kind}\n`));
      return ok(rows.join(''));
    }
    if (verb === 'get' && what === '--raw') {
      const gv = args[2].replace(/^\/apis?\//, '');
      const kinds = this.served[gv];
      if (!kinds) return { code: 1, stdout: '', stderr: 'Error from server (NotFound): the server could not find the requested resource' };
      return ok(JSON.stringify({ resources: kinds.map((kind) => ({ name: kind.toLowerCase(), kind })) }));
    }
    if (verb === 'get' && what.startsWith('constrainttemplates')) return ok(JSON.stringify({ items: this.existingTemplates }));
    if (verb === 'apply') {
      this.applied.push(...parseAllDocuments(input ?? '').map((d) => d.toJS() as KubeObject));
      return ok('constrainttemplate.templates.gatekeeper.sh/bulwarkdevnolatest serverside-applied\n');
    }
    if (verb === 'get' && what.startsWith('customresourcedefinitions')) {
      this.polls++;
      const ready = this.gatekeeperRuns && this.polls > this.crdDelay;
      const established = { conditions: [{ type: 'Established', status: 'True' }] };
      const items = ready ? args.slice(2, -3).map((name) => ({ metadata: { name }, status: established })) : [];
      return ok(JSON.stringify({ items }));
    }
    return { code: 1, stdout: '', stderr: `unexpected call: ${command} ${args.join(' ')}` };
  };
}

describe('installChart', () => {
  const lines: string[] = [];
  const options = (extra: Partial<InstallOptions> = {}): InstallOptions => ({
    chart: '/dist/dev/platform-1.2.3.tgz',
    release: RELEASE,
    helm: 'helm',
    kubectl: 'kubectl',
    helmArgs: ['--set', 'podinfo.enabled=false'],
    timeoutMs: 10_000,
    log: (l) => lines.push(l),
    ...extra,
  });
  const writes = (c: FakeCluster) => c.calls.filter((call) => / apply | upgrade /.test(` ${call} `));

  test('checks, applies the templates adopted by the release, waits for their kinds, then one helm upgrade --install', async () => {
    const cluster = new FakeCluster();
    const result = await installChart(options(), cluster);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const steps = cluster.calls.map((c) => c.split(' ').slice(0, 3).join(' '));
    expect(steps[0]).toBe('helm template platform');
    const apply = steps.indexOf('kubectl apply --server-side');
    const upgrade = steps.indexOf('helm upgrade --install');
    // every check before the first write; the CRDs polled until Established (twice missing, then there)
    expect(steps.slice(1, apply)).toEqual([
      'kubectl get namespaces',
      'kubectl api-resources --no-headers',
      'kubectl get --raw', // cert-manager.io/v1, not its group's preferred version
      'kubectl get constrainttemplates.templates.gatekeeper.sh',
    ]);
    expect(steps.slice(apply + 1, upgrade)).toEqual(Array(3).fill('kubectl get customresourcedefinitions.apiextensions.k8s.io'));
    expect(upgrade).toBe(steps.length - 1);
    expect(cluster.calls[0]).toBe('helm template platform /dist/dev/platform-1.2.3.tgz -n bulwark-system --set podinfo.enabled=false');
    expect(cluster.calls[apply]).toBe('kubectl apply --server-side --force-conflicts --field-manager helm -f -');
    expect(cluster.calls[upgrade]).toBe(
      'helm upgrade --install platform /dist/dev/platform-1.2.3.tgz -n bulwark-system --create-namespace --reset-values --set podinfo.enabled=false',
    );
    expect(cluster.applied).toEqual([adoptedBy(template, RELEASE)]);
    expect(lines).toContain('1 constraint kinds Established after 1.0s');
  });

  test('the field manager is the helm binary\'s name, the one Helm applies with (helm4 for .tools/bin/helm4)', async () => {
    const cluster = new FakeCluster();
    await installChart(options({ helm: '/repo/.tools/bin/helm4' }), cluster);
    expect(cluster.calls).toContain('kubectl apply --server-side --force-conflicts --field-manager helm4 -f -');
  });

  test('fails on missing prerequisite namespaces, naming them, their objects and the fix, before writing anything', async () => {
    const cluster = new FakeCluster();
    cluster.namespaces = new Set(['falco']);
    const result = await installChart(options(), cluster);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'namespace istio-system (1 object: Certificate bulwark-dev-frontend-tls) does not exist: the platform puts objects there '
        + 'but does not create these namespaces, which belong to the software installed there (Istio, cert-manager, Falco); '
        + 'install it first, or on a local cluster create it: kubectl create namespace istio-system',
    ]);
    expect(writes(cluster)).toEqual([]);
    cluster.namespaces = new Set();
    expect((await installChart(options(), cluster)).problems[0]).toMatch(
      /^namespaces falco \(1 object: ConfigMap rules\); istio-system \(1 object: Certificate bulwark-dev-frontend-tls\) do not exist: .*create them: for ns in falco istio-system; do kubectl create namespace "\$ns"; done$/,
    );
  });

  test('fails on kinds the cluster does not serve, naming them and make crds', async () => {
    const cluster = new FakeCluster();
    delete cluster.served['cert-manager.io/v1'];
    delete cluster.served['templates.gatekeeper.sh/v1'];
    const result = await installChart(options(), cluster);
    expect(result.problems).toEqual([
      'the cluster does not serve 2 kinds the chart uses: cert-manager.io/v1 Certificate (1 object); '
        + 'templates.gatekeeper.sh/v1 ConstraintTemplate (1 object). Install the operators that '
        + 'define them first (their CRDs are pinned in crds/sources.json); on a local cluster apply just their CRDs: '
        + 'make crds && kubectl apply --server-side -f .build/crds/; '
        + 'without Gatekeeper install with --set gatekeeper-templates.enabled=false,gatekeeper.enabled=false',
    ]);
    expect(writes(cluster)).toEqual([]);
  });

  test('fails on a ConstraintTemplate another release or no release owns, instead of taking it over', async () => {
    const cluster = new FakeCluster();
    cluster.existingTemplates = [adoptedBy(template, { name: 'platform-dev', namespace: 'bulwark-system' })];
    expect((await installChart(options(), cluster)).problems).toEqual([
      'ConstraintTemplate bulwarkdevnolatest exists and belongs to release platform-dev in bulwark-system, not to release platform in '
        + 'bulwark-system: installing would take it over; install as that release (RELEASE=, NAMESPACE=), '
        + 'or remove it first: kubectl delete constrainttemplate bulwarkdevnolatest',
    ]);
    cluster.existingTemplates = [template];
    expect((await installChart(options(), cluster)).problems[0]).toMatch(/^ConstraintTemplate bulwarkdevnolatest exists and belongs to no Helm release/);
    expect(writes(cluster)).toEqual([]);
    // Its own templates (a second install, an upgrade) are fine.
    cluster.existingTemplates = [adoptedBy(template, RELEASE)];
    expect((await installChart(options(), cluster)).ok).toBe(true);
  });

  test('fails when Gatekeeper does not create the constraint kinds in time, and does not run helm', async () => {
    const cluster = new FakeCluster();
    cluster.gatekeeperRuns = false;
    const result = await installChart(options({ timeoutMs: 3000, pollMs: 1000 }), cluster);
    expect(result.problems).toEqual([
      'Gatekeeper did not create 1 of the 1 constraint kinds within 3s (not Established: bulwarkdevnolatest.constraints.gatekeeper.sh): '
        + 'is Gatekeeper running (kubectl -n gatekeeper-system get pods; kubectl get constrainttemplate bulwarkdevnolatest '
        + '-o jsonpath=\'{.status}\')? The ConstraintTemplates are applied and owned by release platform; run the install again '
        + 'once Gatekeeper runs, or install without the guards: --set gatekeeper-templates.enabled=false,gatekeeper.enabled=false',
    ]);
    expect(cluster.calls.filter((c) => c.startsWith('kubectl get customresourcedefinitions'))).toHaveLength(4);
    expect(cluster.calls.some((c) => c.startsWith('helm upgrade'))).toBe(false);
  });

  test('without templates nothing is applied and nothing awaited', async () => {
    const cluster = new FakeCluster();
    cluster.helmTemplate = { code: 0, stdout: toYamlStream([namespace, configMap('app', 'bulwark-dev')] as never), stderr: '' };
    expect((await installChart(options(), cluster)).ok).toBe(true);
    expect(writes(cluster)).toEqual([expect.stringMatching(/^helm upgrade --install /)]);
  });

  test('fails when helm template or helm upgrade fails, with helm\'s message', async () => {
    const cluster = new FakeCluster();
    cluster.helmTemplate = { code: 1, stdout: '', stderr: 'Error: chart requires kubeVersion: >=1.30.0-0\n' };
    expect((await installChart(options(), cluster)).problems).toEqual([
      'helm template platform /dist/dev/platform-1.2.3.tgz failed (exit 1): Error: chart requires kubeVersion: >=1.30.0-0',
    ]);
    const later = new FakeCluster();
    later.helmUpgrade = { code: 1, stdout: '', stderr: 'Error: UPGRADE FAILED: timed out\n' };
    expect((await installChart(options(), later)).problems).toEqual([
      'helm upgrade --install platform /dist/dev/platform-1.2.3.tgz -n bulwark-system --create-namespace --reset-values '
        + '--set podinfo.enabled=false failed (exit 1): Error: UPGRADE FAILED: timed out',
    ]);
  });

  test('fails when the cluster cannot be reached', async () => {
    const cluster = new FakeCluster();
    const refused = 'The connection to the server 127.0.0.1:6443 was refused';
    const unreachable = { code: 1, stdout: '', stderr: `E1204 memcache.go:265] couldn't get current server API group list\n${refused}\n` };
    const down: InstallEnvironment = {
      now: cluster.now,
      sleep: cluster.sleep,
      run: async (c, a, i) => (c === 'kubectl' ? unreachable : cluster.run(c, a, i)),
    };
    expect((await installChart(options(), down)).problems).toEqual([
      'cannot reach the cluster (kubectl get namespaces): The connection to the server 127.0.0.1:6443 was refused (KUBECONFIG selects the cluster)',
    ]);
  });
});

describe('scripts/install.ts arguments', () => {
  test('defaults, and helm flags after --', () => {
    expect(parseInstallArgs(['--env', 'prod', '--', '--set', 'agent.enabled=false', '--wait'])).toEqual({
      env: 'prod',
      chart: undefined,
      out: 'dist',
      release: 'platform',
      namespace: 'bulwark-system',
      timeoutSeconds: 120,
      helmArgs: ['--set', 'agent.enabled=false', '--wait'],
    });
  });

  test.each([
    [[], '--env <env> is required (the environment to install)'],
    [['--env'], '--env needs a value'],
    [['--env', 'prod', '--wait'], 'unknown argument "--wait"; takes --env, --chart, --out, --release, --namespace, --timeout and -- <helm flags>'],
    [['--env', 'prod', '--release', 'Platform'], '--release "Platform" is not a DNS label (lowercase letters, digits, -)'],
    [['--env', 'prod', '--timeout', '2m'], '--timeout needs whole seconds from 1 to 99999, got "2m"'],
  ])('fails on %j', (argv, message) => {
    expect(() => parseInstallArgs(argv)).toThrow(message);
  });
});
