/**
 * Seam for the platform's own control-plane artifacts (LATER: produced by another issue into
 * dist/<env>/control-plane/): the audit policy and the encryption configuration the API server
 * must run with. They are configuration files of kube-apiserver, not API objects, so the e2e run
 * never applies them; instead they become kube-apiserver flags through startCluster()'s
 * `apiserverFlags` + `files` (see e2e/cluster.ts).
 *
 * Documents are recognised by kind, not by file name:
 *   audit.k8s.io/v1 Policy                               --audit-policy-file, --audit-log-path
 *   apiserver.config.k8s.io/v1 EncryptionConfiguration   --encryption-provider-config
 *
 * Until that issue lands (and brings its own e2e assertions: e.g. an audit event is written for a
 * request, a Secret is stored encrypted in etcd) this stays off: the artifacts are only listed.
 * Set E2E_CONTROL_PLANE=1 to start the API server with them already; `${NAME}` placeholders (key
 * material is never committed) are filled from the environment, or with a fresh random 32-byte
 * base64 value (a valid aescbc/secretbox key) for this throwaway server.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_PLANE_DIR, parseYaml } from './objects';

export interface ControlPlaneArtifacts {
  /** kube-apiserver flags ("{{dir}}" = the cluster's temp dir) */
  readonly apiserverFlags: string[];
  /** files to write into the cluster's temp dir */
  readonly files: Record<string, string>;
  /** one-line description for the report */
  readonly summary: string;
}

const FLAGS: Record<string, (file: string) => string[]> = {
  'audit.k8s.io/v1/Policy': (f) => [`--audit-policy-file={{dir}}/${f}`, '--audit-log-path={{dir}}/audit.log'],
  'apiserver.config.k8s.io/v1/EncryptionConfiguration': (f) => [`--encryption-provider-config={{dir}}/${f}`],
};

export function controlPlaneArtifacts(envDir: string, enabled = process.env.E2E_CONTROL_PLANE === '1'): ControlPlaneArtifacts {
  const dir = path.join(envDir, CONTROL_PLANE_DIR);
  if (!fs.existsSync(dir)) return { apiserverFlags: [], files: {}, summary: `none (no ${CONTROL_PLANE_DIR}/ yet)` };
  const apiserverFlags: string[] = [];
  const files: Record<string, string> = {};
  const found: string[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    for (const doc of parseYaml(text, path.join(dir, name))) {
      const d = doc as { apiVersion?: string; kind?: string };
      const key = `${d.apiVersion}/${d.kind}`;
      const flags = FLAGS[key];
      if (!flags) continue;
      found.push(`${d.kind} (${name})`);
      const rel = `${CONTROL_PLANE_DIR}/${name}`;
      files[rel] = text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, v: string) => process.env[v] ?? randomBytes(32).toString('base64'));
      apiserverFlags.push(...flags(rel));
    }
  }
  if (!enabled) return { apiserverFlags: [], files: {}, summary: `${found.join(', ') || 'no known artifacts'}: not passed to the API server yet (E2E_CONTROL_PLANE=1)` };
  return { apiserverFlags, files, summary: `${found.join(', ')}: passed to the API server` };
}
