/**
 * The platform's own control-plane artifacts (dist/<env>/control-plane/): the audit policy and the
 * encryption configuration the API server runs with. They are configuration files of
 * kube-apiserver, not API objects, so the e2e run never applies them; they become kube-apiserver
 * flags through startCluster()'s `apiserverFlags` + `files` (see e2e/cluster.ts), for both API
 * servers of every environment.
 *
 * Documents are recognised by kind, not by file name:
 *   audit.k8s.io/v1 Policy              --audit-policy-file, --audit-log-path, --audit-log-format=json
 *   apiserver.config.k8s.io/v1 EncryptionConfiguration   --encryption-provider-config
 *
 * The files are passed as the platform wrote them, with two test-only changes:
 * - `${NAME}` placeholders (key material is never committed) are filled from the environment, or
 *   with a fresh random 32-byte base64 value (a valid aescbc/secretbox key) for this throwaway
 *   server;
 * - a KMS provider (staging/prod: KMS v2 through a plugin socket) is replaced by an aescbc provider
 *   with a random key, because there is no KMS plugin here. Everything else (the resources list,
 *   the provider order, the identity fallback) stays as written.
 *
 * controlPlaneChecks() then proves, on the apply-phase API server: a Secret created through the
 * API is stored encrypted in etcd (raw value read through etcd's v3 JSON gateway), reads back
 * intact, and the audit log records the Secret's requests at the level the policy gives them
 * (Metadata: no request or response bodies); a ConfigMap and a ServiceAccount request are logged
 * at the level the policy gives them, evaluated here from the policy file.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { outputFiles, parseYamlDocuments } from '../lib/manifest/manifest-reader';
import type { PhaseContext } from './apply-phase';
import { ADMIN_USER } from './cluster';
import { KubeObject, statusMessage } from './kube';

// ------------------------------------------------------------------------------------------------
// Artifacts -> kube-apiserver flags
// ------------------------------------------------------------------------------------------------

export interface AuditPolicyRule {
  readonly level: string;
  readonly users?: string[];
  readonly userGroups?: string[];
  readonly verbs?: string[];
  readonly resources?: { group?: string; resources?: string[]; resourceNames?: string[] }[];
  readonly namespaces?: string[];
  readonly nonResourceURLs?: string[];
  readonly omitStages?: string[];
}

export interface AuditPolicy {
  readonly file: string;
  readonly rules: AuditPolicyRule[];
  readonly omitStages?: string[];
}

interface EncryptionResource {
  readonly resources: string[];
  providers: Record<string, unknown>[];
}

export interface EncryptionConfig {
  readonly file: string;
  /** as passed to the server (KMS replaced) */
  readonly resources: EncryptionResource[];
  /** names of the KMS providers replaced by aescbc for the test */
  readonly kmsReplaced: string[];
}

export interface ControlPlaneArtifacts {
  /** kube-apiserver flags ("{{dir}}" = the cluster's temp dir) */
  readonly apiserverFlags: string[];
  /** files to write into the cluster's temp dir */
  readonly files: Record<string, string>;
  /** one-line description for the report */
  readonly summary: string;
  readonly auditPolicy?: AuditPolicy;
  readonly encryption?: EncryptionConfig;
}

export const AUDIT_LOG = 'audit.log';
const AUDIT_KIND = 'audit.k8s.io/v1/Policy';
const ENCRYPTION_KIND = 'apiserver.config.k8s.io/v1/EncryptionConfiguration';

const FLAGS: Record<string, (file: string) => string[]> = {
  [AUDIT_KIND]: (f) => [`--audit-policy-file={{dir}}/${f}`, `--audit-log-path={{dir}}/${AUDIT_LOG}`, '--audit-log-format=json'],
  [ENCRYPTION_KIND]: (f) => [`--encryption-provider-config={{dir}}/${f}`],
};

function fillPlaceholders(text: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, v: string) => process.env[v] ?? randomBytes(32).toString('base64'));
}

/** KMS providers -> aescbc with a random key (no KMS plugin here); returns the replaced names. */
function replaceKms(doc: { resources?: EncryptionResource[] }): string[] {
  const replaced: string[] = [];
  for (const r of doc.resources ?? []) {
    r.providers = (r.providers ?? []).map((p) => {
      const kms = p.kms as { name?: string; apiVersion?: string } | undefined;
      if (!kms) return p;
      const name = kms.name ?? 'kms';
      replaced.push(`${name} (KMS ${kms.apiVersion ?? 'v1'})`);
      return { aescbc: { keys: [{ name: `${name}-e2e-aescbc`, secret: randomBytes(32).toString('base64') }] } };
    });
  }
  return replaced;
}

export function controlPlaneArtifacts(envDir: string): ControlPlaneArtifacts {
  const apiServerFiles = outputFiles(envDir, ['api-server']);
  if (apiServerFiles.length === 0) return { apiserverFlags: [], files: {}, summary: 'none (no API-server files yet)' };
  const apiserverFlags: string[] = [];
  const files: Record<string, string> = {};
  const found: string[] = [];
  let auditPolicy: AuditPolicy | undefined;
  let encryption: EncryptionConfig | undefined;
  for (const { rel, path: source } of apiServerFiles.filter((f) => /\.ya?ml$/.test(f.rel))) {
    const name = path.basename(rel);
    const text = fillPlaceholders(fs.readFileSync(source, 'utf8'));
    const docs = parseYamlDocuments(text, source).filter((d) => d !== null) as { apiVersion?: string; kind?: string }[];
    let rewritten = false;
    for (const d of docs) {
      const key = `${d.apiVersion}/${d.kind}`;
      const flags = FLAGS[key];
      if (!flags) continue;
      found.push(`${d.kind} (${name})`);
      apiserverFlags.push(...flags(rel));
      if (key === AUDIT_KIND) {
        const p = d as { rules?: AuditPolicyRule[]; omitStages?: string[] };
        auditPolicy = { file: rel, rules: p.rules ?? [], omitStages: p.omitStages };
      } else {
        const e = d as { resources?: EncryptionResource[] };
        const kmsReplaced = replaceKms(e);
        if (kmsReplaced.length > 0) rewritten = true;
        encryption = { file: rel, resources: e.resources ?? [], kmsReplaced };
      }
    }
    files[rel] = rewritten
      ? `# Test copy of dist/<env>/${rel} (e2e): KMS provider replaced by aescbc, no KMS plugin here.\n`
        + docs.map((d) => stringify(d)).join('---\n')
      : text;
  }
  const kms = encryption?.kmsReplaced.length
    ? `; KMS v2 provider replaced by aescbc for the test: no KMS plugin here (${encryption.kmsReplaced.join(', ')})`
    : '';
  return {
    apiserverFlags,
    files,
    summary: `${found.join(', ') || 'no known artifacts'}: passed to both API servers${kms}`,
    auditPolicy,
    encryption,
  };
}

// ------------------------------------------------------------------------------------------------
// Audit policy evaluation (the rules of k8s.io/apiserver/pkg/audit/policy/checker.go)
// ------------------------------------------------------------------------------------------------

export interface AuditRequest {
  readonly user: string;
  readonly groups: readonly string[];
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

function ruleMatches(r: AuditPolicyRule, a: AuditRequest): boolean {
  if (r.users?.length && !r.users.includes(a.user)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.groups.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) {
    if (r.namespaces?.length && !r.namespaces.includes(a.namespace ?? '')) return false;
    if (!r.resources?.length) return true;
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return r.resources.some(
      (gr) =>
        (gr.group ?? '') === a.group &&
        (!gr.resources?.length ||
          gr.resources.some(
            (res) =>
              (!gr.resourceNames?.length || gr.resourceNames.includes(a.name ?? '')) &&
              (res === combined ||
                res === '*' ||
                (!!a.subresource && res === `*/${a.subresource}`) ||
                (res.endsWith('/*') && a.resource === res.slice(0, -2))),
          )),
    );
  }
  if (r.nonResourceURLs?.length) return false; // a resource request never matches a non-resource rule
  return true;
}

/** The level the policy gives a resource request (first matching rule; None when none matches). */
export function auditLevel(policy: AuditPolicy, a: AuditRequest): string {
  return policy.rules.find((r) => ruleMatches(r, a))?.level ?? 'None';
}

// ------------------------------------------------------------------------------------------------
// Checks on a running API server
// ------------------------------------------------------------------------------------------------

export interface ControlPlaneResult {
  /** audit events of the test Secret */
  readonly secretEvents: number;
  /** the level the policy gives Secret requests (and every Secret event had) */
  readonly secretLevel: string;
  /** e.g. "k8s:enc:aescbc:v1:bulwark-dev-1" */
  readonly storedAs: string;
  readonly kmsReplaced: boolean;
}

interface AuditEvent {
  level?: string;
  stage?: string;
  verb?: string;
  requestURI?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  requestObject?: unknown;
  responseObject?: unknown;
}

function readAudit(file: string): AuditEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as AuditEvent];
      } catch {
        return []; // a line being written right now
      }
    });
}

/** Raw value of an etcd key through the v3 JSON gateway (plain http on loopback, see cluster.ts). */
async function etcdGet(etcdUrl: string, key: string): Promise<Buffer | undefined> {
  const r = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: Buffer.from(key).toString('base64') }),
  });
  if (!r.ok) throw new Error(`etcd ${etcdUrl}/v3/kv/range: HTTP ${r.status}: ${await r.text()}`);
  const body = (await r.json()) as { kvs?: { value?: string }[] };
  const v = body.kvs?.[0]?.value;
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

/** The first provider the config gives a resource ("secrets", "configmaps"), if any covers it. */
function providerFor(enc: EncryptionConfig | undefined, resource: string): { type: string; key?: string } | undefined {
  const entry = enc?.resources.find((r) => r.resources.some((x) => x === resource || x === '*.*' || (x === '*.' && !resource.includes('.'))));
  const first = entry?.providers[0];
  if (!first) return undefined;
  const type = Object.keys(first)[0];
  const keys = (first[type] as { keys?: { name?: string }[] } | undefined)?.keys;
  return { type, key: keys?.[0]?.name };
}

function printable(b: Buffer | undefined): string {
  return b === undefined ? '(no such key)' : JSON.stringify(b.subarray(0, 60).toString('latin1'));
}

export async function controlPlaneChecks(ctx: PhaseContext, cp: ControlPlaneArtifacts, namespace: string): Promise<ControlPlaneResult> {
  const group = `${ctx.env} control-plane`;
  const { t, cluster } = ctx;
  const client = cluster.client;
  const enc = cp.encryption;
  const policy = cp.auditPolicy;
  t.check(
    group,
    `dist/${ctx.env}/control-plane/ has an audit Policy and an EncryptionConfiguration, both passed to the API server`,
    !!policy && !!enc,
    cp.summary,
  );

  // --- a Secret with a random plaintext value -----------------------------------------------------
  const suffix = randomBytes(4).toString('hex');
  const name = `bulwark-e2e-cp-${suffix}`;
  const plaintext = `bulwark-e2e-plaintext-${randomBytes(16).toString('hex')}`;
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData: { value: plaintext } };
  const base = `/api/v1/namespaces/${namespace}`;
  const created = await client.request('POST', `${base}/secrets`, secret);
  t.check(group, `Secret ${namespace}/${name} created through the API`, created.status === 201, `HTTP ${created.status}: ${statusMessage(created)}`);

  const raw = await etcdGet(cluster.etcdUrl, `/registry/secrets/${namespace}/${name}`);
  const want = providerFor(enc, 'secrets');
  const prefix = 'k8s:enc:aescbc:v1:';
  const rawText = raw?.toString('latin1') ?? '';
  const startsWith = `raw value starts with ${printable(raw)}`;
  t.check(group, `etcd /registry/secrets/${namespace}/${name} starts with ${prefix}`, rawText.startsWith(prefix), startsWith);
  if (want?.key) {
    t.check(
      group,
      `... encrypted with the configuration's first key (${want.type} key ${want.key})`,
      rawText.startsWith(`k8s:enc:${want.type}:v1:${want.key}:`),
      startsWith,
    );
  }
  t.check(
    group,
    'the raw etcd value does not contain the plaintext (nor its base64)',
    raw !== undefined && !rawText.includes(plaintext) && !rawText.includes(Buffer.from(plaintext).toString('base64')),
    printable(raw),
  );
  const storedAs = rawText.startsWith('k8s:enc:') ? rawText.split(':').slice(0, 5).join(':') : `unencrypted (${printable(raw)})`;

  // --- read back, GET and LIST ------------------------------------------------------------------
  const got = await client.request('GET', `${base}/secrets/${name}`);
  const value = got.status === 200
    ? Buffer.from(got.json<{ data?: { value?: string } }>().data?.value ?? '', 'base64').toString('utf8')
    : '';
  t.check(
    group,
    'GET of the Secret through the API returns the plaintext value (decrypted)',
    value === plaintext,
    `HTTP ${got.status}: ${got.status === 200 ? `value ${JSON.stringify(value)}` : statusMessage(got)}`,
  );
  const listed = await client.request('GET', `${base}/secrets?fieldSelector=metadata.name%3D${name}`);
  const items = listed.status === 200 ? listed.json<{ items: KubeObject[] }>().items : [];
  t.check(
    group,
    'LIST of Secrets (field selector on its name) returns it',
    items.length === 1 && items[0].metadata.name === name,
    `HTTP ${listed.status}: ${listed.status === 200 ? `${items.length} items` : statusMessage(listed)}`,
  );

  // --- a ConfigMap and a ServiceAccount: levels per the policy; the ConfigMap's storage ----------
  const cmValue = `bulwark-e2e-configmap-${randomBytes(8).toString('hex')}`;
  const cm = await client.request('POST', `${base}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { value: cmValue },
  });
  t.check(group, `ConfigMap ${namespace}/${name} created through the API`, cm.status === 201, `HTTP ${cm.status}: ${statusMessage(cm)}`);
  const sa = await client.request('POST', `${base}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  t.check(group, `ServiceAccount ${namespace}/${name} created through the API`, sa.status === 201, `HTTP ${sa.status}: ${statusMessage(sa)}`);
  const cmRaw = await etcdGet(cluster.etcdUrl, `/registry/configmaps/${namespace}/${name}`);
  const cmProvider = providerFor(enc, 'configmaps');
  if (!cmProvider || cmProvider.type === 'identity') {
    t.check(
      group,
      'a ConfigMap (not in the configuration\'s resources list) is stored unencrypted in etcd',
      cmRaw !== undefined && !cmRaw.toString('latin1').startsWith('k8s:enc:') && cmRaw.toString('latin1').includes(cmValue),
      printable(cmRaw),
    );
  } else {
    t.check(
      group,
      `a ConfigMap is stored encrypted (${cmProvider.type}) in etcd`,
      cmRaw !== undefined && cmRaw.toString('latin1').startsWith(`k8s:enc:${cmProvider.type}:v1:`) && !cmRaw.toString('latin1').includes(cmValue),
      printable(cmRaw),
    );
  }

  // --- the audit log ----------------------------------------------------------------------------
  const who = { user: ADMIN_USER, groups: ['system:masters', 'system:authenticated'] };
  const expect = (verb: string, resource: string, withName: boolean): string =>
    policy ? auditLevel(policy, { ...who, verb, group: '', resource, namespace, name: withName ? name : undefined }) : 'None';
  const logFile = path.join(cluster.dir, AUDIT_LOG);
  const mine = (e: AuditEvent, resource: string): boolean =>
    e.user?.username === ADMIN_USER &&
    e.objectRef?.resource === resource &&
    e.objectRef.namespace === namespace &&
    // a create's objectRef names the object too; a list's has no name: its field selector does
    (e.objectRef.name === name || (e.verb === 'list' && (e.requestURI ?? '').includes(name)));
  const wanted: { verb: string; resource: string; level: string }[] = [
    { verb: 'create', resource: 'secrets', level: expect('create', 'secrets', false) },
    { verb: 'get', resource: 'secrets', level: expect('get', 'secrets', true) },
    { verb: 'list', resource: 'secrets', level: expect('list', 'secrets', false) },
    { verb: 'create', resource: 'configmaps', level: expect('create', 'configmaps', false) },
    { verb: 'create', resource: 'serviceaccounts', level: expect('create', 'serviceaccounts', false) },
  ];
  const find = (events: AuditEvent[], w: { verb: string; resource: string }): AuditEvent[] =>
    events.filter((e) => mine(e, w.resource) && e.verb === w.verb && e.stage === 'ResponseComplete');
  // events are written once the response is complete: wait (up to 10 s) until all are there
  let events = readAudit(logFile);
  const incomplete = (): boolean => wanted.some((w) => w.level !== 'None' && find(events, w).length === 0);
  for (let deadline = Date.now() + 10_000; incomplete() && Date.now() < deadline; events = readAudit(logFile)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.check(
    group,
    `the audit log (${AUDIT_LOG}, --audit-log-format=json) is written`,
    events.length > 0,
    fs.existsSync(logFile) ? 'empty' : 'no audit log',
  );
  for (const w of wanted) {
    const found = find(events, w);
    const what = `${w.verb} ${w.resource} ${namespace}/${name}`;
    if (w.level === 'None') {
      t.check(group, `audit: ${what} is not logged (policy level None)`, found.length === 0, `${found.length} events`);
      continue;
    }
    t.check(
      group,
      `audit: ${what} is logged at ${w.level} (the level dist/${ctx.env}/${policy?.file} gives it)`,
      found.length > 0 && found.every((e) => e.level === w.level),
      found.length ? found.map((e) => `level ${e.level}`).join(', ') : 'no ResponseComplete event',
    );
    const bodies = w.level === 'Request' || w.level === 'RequestResponse';
    const response = w.level === 'RequestResponse';
    t.check(
      group,
      `audit: ${what} event ${bodies ? 'has' : 'has no'} requestObject and ${response ? 'has' : 'has no'} responseObject`,
      found.length > 0 && found.every((e) => (e.requestObject !== undefined) === bodies && (e.responseObject !== undefined) === response),
      found.map((e) => `requestObject: ${e.requestObject !== undefined}, responseObject: ${e.responseObject !== undefined}`).join('\n'),
    );
  }
  const secretEvents = events.filter((e) => mine(e, 'secrets'));
  const secretLevel = expect('get', 'secrets', true);
  t.check(
    group,
    `audit: no Secret event anywhere in the log carries the plaintext`,
    !fs.readFileSync(logFile, 'utf8').includes(plaintext) && !fs.readFileSync(logFile, 'utf8').includes(Buffer.from(plaintext).toString('base64')),
  );
  const allSecrets = events.filter((e) => e.objectRef?.resource === 'secrets');
  t.check(
    group,
    `audit: every Secret event of the run (${allSecrets.length}) is at ${secretLevel}, without request/response objects`,
    allSecrets.length > 0 && allSecrets.every((e) => e.level === secretLevel && e.requestObject === undefined && e.responseObject === undefined),
    allSecrets
      .filter((e) => e.level !== secretLevel || e.requestObject !== undefined || e.responseObject !== undefined)
      .slice(0, 5)
      .map((e) => JSON.stringify(e).slice(0, 300))
      .join('\n'),
  );

  // clean up the probe objects (the apply phase is done with this namespace)
  for (const r of ['secrets', 'configmaps', 'serviceaccounts']) await client.request('DELETE', `${base}/${r}/${name}`);
  return { secretEvents: secretEvents.length, secretLevel, storedAs, kmsReplaced: (enc?.kmsReplaced.length ?? 0) > 0 };
}
