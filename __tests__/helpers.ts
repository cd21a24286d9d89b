import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { ConfigError } from '../lib/config/errors';
import { LoadedOverlay, parseOverlay } from '../lib/config/load-overlay';
import { KubeObject } from '../lib/manifest/kube-object';
import { buildModel, PlatformModel } from '../lib/model/platform-model';

export const ROOT = path.resolve(__dirname, '..');

/**
 * The overlays tests build on: copies of the committed ones, frozen, so that a user editing
 * `overlays/` (a component, an environment) never breaks a test of behaviour. Only the tests of
 * what the committed overlays synthesize read `overlays/` itself (the per-environment snapshots,
 * the README sample: `COMMITTED_TESTS` in scripts/update.sh, which `make update` refreshes).
 */
export const FIXTURE_OVERLAYS = path.join(ROOT, '__tests__', 'fixtures', 'overlays');
/** The environments of `FIXTURE_OVERLAYS`; a new environment of `overlays/` does not go here. */
export const ENVIRONMENTS = ['dev', 'prod', 'staging'] as const;

/** The fixture overlay of `env`, as text. */
export function overlayText(env: string): string {
  return fs.readFileSync(path.join(FIXTURE_OVERLAYS, `${env}.yaml`), 'utf8');
}

/** The fixture overlay of `env`, named `overlays/<env>.yaml` in messages as a user's would be. */
export function loadOverlay(env: string): LoadedOverlay {
  return parseOverlay(`overlays/${env}.yaml`, overlayText(env));
}

/** The model of the fixture overlay `env`, or of `loaded`; a ConfigError with its problems when it has any. */
export function modelOf(overlay: string | LoadedOverlay): PlatformModel {
  const { model, problems } = buildModel(typeof overlay === 'string' ? loadOverlay(overlay) : overlay, '1.2.3');
  if (model === undefined) throw new ConfigError(problems);
  return model;
}

/** The error lines a bad input produces; fails the test when no ConfigError is thrown. */
export function configErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/**
 * A chart in an App of its own. Not `Testing.chart()`: that creates an output directory in the
 * system temp dir for every call, and never removes it; nothing here writes to disk.
 */
export function testChart(): Chart {
  return new Chart(new App(), 'test');
}

export function synthObjects(build: (chart: Chart) => void): KubeObject[] {
  const chart = testChart();
  build(chart);
  return Testing.synth(chart) as KubeObject[];
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? `/${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
