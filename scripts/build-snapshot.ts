/**
 * Builds Bulwark's startup snapshot, .build/bulwark.blob, from the compiled JavaScript in .build/:
 * the CLI with every module already loaded, which V8 restores at start-up instead of node requiring
 * it file by file. `make build` runs it, and bin/bulwark when the blob is stale.
 *
 *   npx tsx scripts/build-snapshot.ts
 *
 *   1. esbuild bundles .build/lib/cli/snapshot-main.js and all it requires into one script
 *      (`node --build-snapshot` runs a single file, which may require built-in modules only).
 *   2. node runs that script and writes the blob.
 *   3. .build/bulwark.blob.id, written last, records what the blob fits: "ok <node version>". Node
 *      refuses a blob built by another version, or under other V8 flags (so no NODE_OPTIONS here).
 *      .build/bulwark.node is a hard link to the node binary that built it: while the node on PATH
 *      is that very file, bin/bulwark knows its version without asking it (~10 ms a run); the link
 *      keeps the file from being reused. Where no link can be made (another file system, a binary
 *      of another user), bin/bulwark asks `node --version` on every run.
 *
 * Node supports only some built-in modules while it builds a snapshot, and warns about the others
 * (run-time state may not survive). Those the bundle imports (LAZY_BUILTINS) are replaced by
 * stand-ins that load the real module on first use, at run time. Any output of the snapshot build,
 * such as that warning for a module missing from the list, fails it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { build, Plugin } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, '.build');
export const BLOB = path.join(BUILD, 'bulwark.blob');
export const RECORD = `${BLOB}.id`;
export const NODE_LINK = path.join(BUILD, 'bulwark.node');
const ENTRY = path.join(BUILD, 'lib', 'cli', 'snapshot-main.js');

/**
 * Built-in modules the bundle imports that node does not support in a snapshot being built:
 * child_process (cdk8s; helm for `package`), worker_threads (parallel synthesis).
 */
export const LAZY_BUILTINS = ['child_process', 'worker_threads'] as const;

const PROMISIFY_CUSTOM = 'nodejs.util.promisify.custom';

/**
 * The source of a stand-in for the built-in module `name`, with the same export names. A function
 * becomes a wrapper (cdk8s keeps child_process.spawnSync as it loads), keeping util.promisify's
 * custom form; a class (capitalized) or a value is a getter, read where it is used.
 */
export function lazyBuiltinSource(name: string): string {
  // Required by name, to list its exports: an import statement cannot take a variable.
  const real = createRequire(__filename)(name) as Record<string, unknown>;
  const lines = [
    `let real;`,
    `const load = () => (real ??= require(${JSON.stringify(name)}));`,
    `const custom = Symbol.for(${JSON.stringify(PROMISIFY_CUSTOM)});`,
    `function lazyFunction(key) {`,
    `  const f = function (...args) { return load()[key].apply(this, args); };`,
    `  Object.defineProperty(f, custom, { get: () => load()[key][custom] });`,
    `  return f;`,
    `}`,
  ];
  for (const key of Object.keys(real).sort()) {
    const k = JSON.stringify(key);
    lines.push(typeof real[key] === 'function' && !/^[A-Z]/.test(key)
      ? `exports[${k}] = lazyFunction(${k});`
      : `Object.defineProperty(exports, ${k}, { enumerable: true, get: () => load()[${k}] });`);
  }
  return `${lines.join('\n')}\n`;
}

/** Resolves LAZY_BUILTINS to their stand-ins; a stand-in's own require reaches the real module. */
function lazyBuiltins(): Plugin {
  const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltinSource(args.path), loader: 'js' }));
    },
  };
}

function linked(target: string, link: string): boolean {
  try {
    fs.linkSync(target, link);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const tmp = path.join(BUILD, `bulwark-snapshot.${process.pid}`);
  const [bundle, blob, record, link] = [`${tmp}.js`, `${tmp}.blob`, `${tmp}.id`, `${tmp}.node`];
  for (const f of [RECORD, NODE_LINK]) fs.rmSync(f, { force: true });
  try {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'node',
      target: 'node20',
      // The snapshot builder runs the script as it is, without a module wrapper.
      format: 'iife',
      outfile: bundle,
      plugins: [lazyBuiltins()],
      logLevel: 'silent',
    });
    if (result.warnings.length > 0) throw new Error(`esbuild warned:\n${result.warnings.map((w) => w.text).join('\n')}`);
    // The repository's overlays, synthesized in memory while the snapshot is built (snapshot-main.ts).
    const env: NodeJS.ProcessEnv = { ...process.env, BULWARK_SNAPSHOT_WARM_UP: path.join(path.dirname(BUILD), 'overlays') };
    delete env.NODE_OPTIONS;
    const snapshot = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', bundle], { cwd: BUILD, env, encoding: 'utf8' });
    const output = `${snapshot.stdout ?? ''}${snapshot.stderr ?? ''}`.trim();
    if (snapshot.status !== 0 || output !== '') {
      throw new Error(`node --build-snapshot ${snapshot.status === 0 ? 'printed' : `failed (${snapshot.status ?? snapshot.signal})`}:\n${output}`);
    }
    fs.writeFileSync(record, `ok ${process.version}\n`);
    fs.renameSync(bundle, path.join(BUILD, 'bulwark-snapshot.js'));
    fs.renameSync(blob, BLOB);
    if (linked(fs.realpathSync(process.execPath), link)) fs.renameSync(link, NODE_LINK);
    fs.renameSync(record, RECORD);
    return 0;
  } catch (e) {
    process.stderr.write(`build-snapshot: ${(e as Error).message}\n`);
    return 1;
  } finally {
    for (const f of [bundle, blob, record, link]) fs.rmSync(f, { force: true });
  }
}

if (require.main === module) void main().then((code) => { process.exitCode = code; });
