/**
 * Strict, offline validation of Kubernetes manifests with kubeconform against the schemas generated
 * by scripts/gen-schemas.ts (installed by scripts/install-tools.sh, i.e. `make setup`).
 *
 *   npx tsx scripts/validate.ts [--kube-version 1.28.15] [--allow-empty] <dir-or-file|->...
 *
 * Exit codes: 0 all resources valid; 1 something invalid / errored (a missing schema is an error) /
 * skipped, or no resources found; 2 usage error or tools/schemas not installed.
 *
 * Never uses a remote schema location and never passes -ignore-missing-schemas: an unknown kind or
 * a CRD without a generated schema fails the validation.
 *
 * Two kinds of input get schemas of their own:
 *  - Gatekeeper constraints: their kinds are made by Gatekeeper from the ConstraintTemplates, so
 *    their schemas are generated from the templates found in the input (scripts/constraint-schemas.ts).
 *  - Files in a `control-plane/` folder are API server configuration, not cluster objects: they are
 *    validated against the control-plane schemas only (scripts/gen-policy-schemas.ts), and cluster
 *    objects never against those.
 * A `kustomization.yaml` (an environment's list of its files, lib/manifest/kustomization.ts) is not
 * an object and is never read, nor are the reports of a `report/` folder (make report, make verify);
 * the Argo CD objects of an `argocd/` folder are, like any other.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KUSTOMIZATION_FILE, OUTPUT_FOLDERS } from '../lib/manifest/output-kind';
import { templatesIn, writeConstraintSchemas } from './constraint-schemas';
import { CONTROL_PLANE_SCHEMAS_DIR } from './gen-policy-schemas';
import {
  BIN_DIR,
  QUANTITY_PATTERN,
  ROOT,
  SCHEMAS_DIR,
  normalizeKubeVersion,
  readToolsEnv,
  schemaLocationTemplate,
  schemaRelativePath,
  schemaStamp,
} from './gen-schemas';

export const KUBECONFORM_BIN = path.join(BIN_DIR, 'kubeconform');

/** Paths to validate (files or directories, "-" reads `stdin`), `{ stdin }` text, or YAML text itself. */
export type ManifestInput = readonly string[] | { stdin: string } | string;

export interface ValidateOptions {
  /** Kubernetes version, "1.28.15" or "v1.28.15"; default: KUBERNETES_VERSION from scripts/tools.env. */
  kubeVersion?: string;
  /** Text fed to kubeconform's stdin when a path is "-". */
  stdin?: string;
  /** Treat "no resources found" as success (default: failure, so a misplaced path cannot pass silently). */
  allowEmpty?: boolean;
  /** Base directory for relative paths (default: process.cwd()). */
  cwd?: string;
}

export type ProblemStatus = 'invalid' | 'error' | 'skipped';

/** One line of trouble: a resource can produce several (one per failing field). */
export interface Problem {
  file: string;
  kind: string;
  name: string;
  apiVersion: string;
  status: ProblemStatus;
  /** JSON pointer of the offending field, when known (e.g. "/spec"). */
  field?: string;
  message: string;
}

export interface Summary {
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
}

export interface Result {
  ok: boolean;
  summary: Summary;
  problems: Problem[];
  /** Non-fatal notes, e.g. outdated schemas. */
  warnings: string[];
  kubeconformExitCode: number;
}

/** Thrown when .tools is missing or incomplete. */
export class ToolsNotInstalledError extends Error {
  constructor(what: string) {
    super(`${what}; run \`make setup\` (scripts/install-tools.sh) to install the validation tools`);
    this.name = 'ToolsNotInstalledError';
  }
}

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg: string;
}

interface KubeconformOutput {
  resources: KubeconformResource[];
  summary: Summary;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseKubeconformOutput(stdout: string, stderr: string, code: number): KubeconformOutput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`kubeconform (exit ${code}) did not print JSON:\n${stdout}${stderr}`.trimEnd());
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.resources) || !isRecord(parsed.summary)) {
    throw new Error(`unexpected kubeconform output:\n${stdout}`);
  }
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const s = parsed.summary;
  return {
    resources: parsed.resources.filter(isRecord).map((r) => ({
      filename: str(r.filename),
      kind: str(r.kind),
      name: str(r.name),
      version: str(r.version),
      status: str(r.status),
      msg: str(r.msg),
    })),
    summary: { valid: num(s.valid), invalid: num(s.invalid), errors: num(s.errors), skipped: num(s.skipped) },
  };
}

/**
 * kubeconform's `validationErrors` only holds the top-level causes ("/spec: validation failed");
 * the leaves are in `msg`: "... - at '/spec': validation failed - at '/spec/replcias': ...".
 */
export function splitValidationMessage(msg: string): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const re = /- at '([^']*)': (.*?)(?=\s+- at '|$)/g;
  for (let m = re.exec(msg); m !== null; m = re.exec(msg)) out.push({ field: m[1] || '/', message: m[2].trim() });
  const specific = out.filter((e) => e.message !== 'validation failed');
  return specific.length > 0 ? specific : out;
}

function humanize(message: string): string {
  const m = /^(.*) does not match pattern '(.*)'$/.exec(message);
  if (m && m[2].replace(/\\\\/g, '\\') === QUANTITY_PATTERN) return `${m[1]} is not a valid quantity (e.g. 100m, 0.5, 128Mi, 1Gi)`;
  return message;
}

function toProblems(r: KubeconformResource, kubeVersion: string): Problem[] {
  const base = { file: r.filename, kind: r.kind, name: r.name, apiVersion: r.version };
  if (r.status === 'statusInvalid') {
    const parts = splitValidationMessage(r.msg);
    if (parts.length === 0) return [{ ...base, status: 'invalid', message: r.msg }];
    return parts.map((p) => ({ ...base, status: 'invalid', field: p.field, message: humanize(p.message) }));
  }
  if (r.status === 'statusSkipped') return [{ ...base, status: 'skipped', message: 'skipped (skipped resources are not allowed)' }];
  let message = r.msg;
  if (/^could not find schema for /.test(message)) {
    const [group, version] = r.version.includes('/') ? r.version.split('/', 2) : ['', r.version];
    const rel = schemaRelativePath(kubeVersion, group, version, r.kind);
    const missing = path.relative(ROOT, path.join(SCHEMAS_DIR, rel));
    message += ` (apiVersion ${r.version || '<none>'}; no ${missing}: misspelled kind/apiVersion, or a CRD missing from crds/sources.json?)`;
  }
  return [{ ...base, status: 'error', message }];
}

function ensureInstalled(kubeVersion: string, warnings: string[]): void {
  if (!fs.existsSync(KUBECONFORM_BIN)) {
    throw new ToolsNotInstalledError(`kubeconform is not installed (${path.relative(ROOT, KUBECONFORM_BIN)} is missing)`);
  }
  const index = path.join(SCHEMAS_DIR, kubeVersion, 'index.json');
  const pinned = normalizeKubeVersion(readToolsEnv().KUBERNETES_VERSION);
  if (kubeVersion !== pinned && !fs.existsSync(index)) {
    throw new Error(`no schemas for Kubernetes ${kubeVersion}: they are generated for ${pinned} only (KUBERNETES_VERSION in scripts/tools.env)`);
  }
  if (!fs.existsSync(index)) {
    const available = fs.existsSync(SCHEMAS_DIR) ? fs.readdirSync(SCHEMAS_DIR).filter((d) => d.startsWith('v')) : [];
    throw new ToolsNotInstalledError(
      `no schemas for Kubernetes ${kubeVersion} (${path.relative(ROOT, index)} is missing; available: ${available.join(', ') || 'none'})`,
    );
  }
  const stampFile = path.join(SCHEMAS_DIR, '.stamp');
  try {
    const { KUBERNETES_VERSION } = readToolsEnv();
    if (normalizeKubeVersion(KUBERNETES_VERSION) === kubeVersion) {
      const have = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
      if (have !== schemaStamp(KUBERNETES_VERSION)) {
        warnings.push('schemas in .tools/schemas are outdated (generator or crds/sources.json changed); run `make setup`');
      }
    }
  } catch (e) {
    warnings.push(`could not check schema freshness: ${(e as Error).message}`);
  }
}

function run(bin: string, args: string[], stdin: string | undefined, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => undefined); // kubeconform may exit before reading everything
    child.stdin.end(stdin ?? '');
  });
}

/** Validates manifests; rejects with ToolsNotInstalledError if `make setup` has not been run. */
export async function validateManifests(input: ManifestInput, options: ValidateOptions = {}): Promise<Result> {
  const kubeVersion = normalizeKubeVersion(options.kubeVersion ?? readToolsEnv().KUBERNETES_VERSION);
  if (!/^v\d+\.\d+\.\d+$/.test(kubeVersion)) throw new Error(`invalid Kubernetes version ${JSON.stringify(options.kubeVersion)} (expected x.y.z)`);
  const cwd = options.cwd ?? process.cwd();
  const warnings: string[] = [];
  ensureInstalled(kubeVersion, warnings);

  let paths: string[];
  let stdin = options.stdin;
  if (typeof input === 'string') {
    paths = ['-'];
    stdin = input;
  } else if (!Array.isArray(input)) {
    paths = ['-'];
    stdin = (input as { stdin: string }).stdin;
  } else {
    paths = [...(input as readonly string[])];
    if (paths.length === 0) throw new Error('nothing to validate: no paths given');
    if (paths.includes('-') && paths.length > 1) throw new Error('"-" (stdin) cannot be combined with other paths');
    if (paths.includes('-') && stdin === undefined) throw new Error('"-" given but no stdin text');
    for (const p of paths) if (p !== '-' && !fs.existsSync(path.resolve(cwd, p))) throw new Error(`no such file or directory: ${p}`);
  }

  const files = paths.includes('-') ? [] : paths.flatMap((p) => manifestFiles(path.resolve(cwd, p)));
  const controlPlaneFiles = files.filter((f) => CONTROL_PLANE_FILE.test(f));
  const constraintSchemas = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-constraint-schemas-'));
  let code: number;
  let out: KubeconformOutput;
  try {
    const texts = paths.includes('-') ? [stdin ?? ''] : files.filter((f) => !CONTROL_PLANE_FILE.test(f)).map((f) => fs.readFileSync(f, 'utf8'));
    writeConstraintSchemas(templatesIn(texts), constraintSchemas, kubeVersion);
    const common = ['-strict', '-summary', '-output', 'json', '-kubernetes-version', kubeVersion.slice(1)];
    const cluster = await run(KUBECONFORM_BIN, [
      ...common,
      '-schema-location', schemaLocationTemplate(),
      '-schema-location', schemaLocationTemplate(constraintSchemas),
      '-ignore-filename-pattern', CONTROL_PLANE_FILE.source,
      '-ignore-filename-pattern', KUSTOMIZATION.source,
      '-ignore-filename-pattern', REPORT_FILE.source,
      ...paths,
    ], stdin, cwd);
    code = cluster.code;
    out = parseKubeconformOutput(cluster.stdout, cluster.stderr, cluster.code);
    if (controlPlaneFiles.length > 0) {
      if (!fs.existsSync(CONTROL_PLANE_SCHEMAS_DIR)) {
        throw new ToolsNotInstalledError(`no control-plane schemas (${path.relative(ROOT, CONTROL_PLANE_SCHEMAS_DIR)} is missing)`);
      }
      const cpArgs = [...common, '-schema-location', schemaLocationTemplate(CONTROL_PLANE_SCHEMAS_DIR), ...controlPlaneFiles];
      const cp = await run(KUBECONFORM_BIN, cpArgs, undefined, cwd);
      const cpOut = parseKubeconformOutput(cp.stdout, cp.stderr, cp.code);
      code = Math.max(code, cp.code);
      out = {
        resources: [...out.resources, ...cpOut.resources],
        summary: {
          valid: out.summary.valid + cpOut.summary.valid,
          invalid: out.summary.invalid + cpOut.summary.invalid,
          errors: out.summary.errors + cpOut.summary.errors,
          skipped: out.summary.skipped + cpOut.summary.skipped,
        },
      };
    }
  } finally {
    fs.rmSync(constraintSchemas, { recursive: true, force: true });
  }
  // kubeconform validates with parallel workers: sort for a stable report.
  const problems = out.resources
    .filter((r) => r.status !== 'statusValid')
    .flatMap((r) => toProblems(r, kubeVersion))
    .sort((a, b) =>
      compare(a.file, b.file)
        || compare(a.kind, b.kind)
        || compare(a.name, b.name)
        || compare(a.field ?? '', b.field ?? '')
        || compare(a.message, b.message));
  const { summary } = out;
  const total = summary.valid + summary.invalid + summary.errors + summary.skipped;
  if (total === 0 && !options.allowEmpty) {
    problems.push({ file: paths.join(' '), kind: '', name: '', apiVersion: '', status: 'error', message: 'no Kubernetes resources found' });
  }
  const ok = problems.length === 0 && summary.invalid === 0 && summary.errors === 0 && summary.skipped === 0;
  return { ok, summary, problems, warnings, kubeconformExitCode: code };
}

/** A file in a `control-plane/` folder: API server configuration, validated against its own schemas. */
const CONTROL_PLANE_FILE = /(^|\/)control-plane\/[^/]+$/;

/** A kustomization file: a list of files, not an object. */
const KUSTOMIZATION = new RegExp(`(^|/)${KUSTOMIZATION_FILE.replace(/\./g, '\\.')}$`);

/** A report (make report, make verify): read by people, not a cluster object. */
const REPORT_FILE = new RegExp(`(^|/)${OUTPUT_FOLDERS.report}/`);

/** The files kubeconform reads from a path: the path itself, or every .yaml/.yml/.json below it. */
function manifestFiles(p: string): string[] {
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => compare(a.name, b.name)).flatMap((e) => {
    const child = path.join(p, e.name);
    if (e.isDirectory()) return e.name === OUTPUT_FOLDERS.report ? [] : manifestFiles(child);
    return /\.(ya?ml|json)$/.test(e.name) && !KUSTOMIZATION.test(child) ? [child] : [];
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Human-readable report: one line per problem, then the summary line. */
export function formatResult(result: Result): string {
  const lines = result.warnings.map((w) => `warning: ${w}`);
  for (const p of result.problems) {
    const who = p.kind ? `${p.kind}/${p.name || '<unnamed>'}: ` : '';
    const field = p.field ? `${p.field}: ` : '';
    lines.push(`${p.file}: ${who}${field}${p.message}`);
  }
  const s = result.summary;
  lines.push(`kubeconform: ${s.valid} resources valid, ${s.invalid} invalid, ${s.errors} errors, ${s.skipped} skipped`);
  return `${lines.join('\n')}\n`;
}

const USAGE = 'usage: npx tsx scripts/validate.ts [--kube-version 1.28.15] [--allow-empty] <dir-or-file|->...';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<number> {
  const paths: string[] = [];
  const options: ValidateOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--kube-version' || a === '--kubernetes-version') {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a} needs a value`);
      options.kubeVersion = v;
    } else if (a.startsWith('--kube-version=') || a.startsWith('--kubernetes-version=')) {
      options.kubeVersion = a.slice(a.indexOf('=') + 1);
    } else if (a === '--allow-empty') {
      options.allowEmpty = true;
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else {
      paths.push(a);
    }
  }
  if (paths.length === 0) throw new UsageError('no manifests given');
  if (paths.includes('-')) options.stdin = await readStdin();
  const result = await validateManifests(paths, options);
  const text = formatResult(result);
  process.stdout.write(text);
  return result.ok ? 0 : 1;
}

class UsageError extends Error {}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(e instanceof UsageError ? `validate: ${e.message}\n${USAGE}\n` : `validate: ${e.message}\n`);
      process.exit(e instanceof UsageError || e instanceof ToolsNotInstalledError ? 2 : 1);
    },
  );
}
