/**
 * Bulwark's command line. main.ts and lib/cli/snapshot-main.ts (the startup snapshot that
 * bin/bulwark runs) are its two entry points: each only finds the repository root and the
 * arguments, and lib/cli/process-context.ts reads the rest of the process (the environment,
 * package.json, the terminals). Everything else takes plain arguments; the commands live in
 * lib/cli/cli.ts.
 *
 *   tsx main.ts synth [--overlays overlays] [--out dist] [--quiet]
 *   tsx main.ts package --env <env> [--out dist]
 *
 * `npx cdk8s synth` runs `synth` too (see cdk8s.yaml); CDK8S_OUTDIR then receives a copy.
 */
import * as path from 'path';
import { runProcess } from './lib/cli/process-context';

// The repository root: this file's folder, or its parent when running compiled from .build/.
const COMPILED = path.basename(__dirname) === '.build';
const ROOT = COMPILED ? path.dirname(__dirname) : __dirname;

runProcess(ROOT, process.argv.slice(2), { compiled: COMPILED });
