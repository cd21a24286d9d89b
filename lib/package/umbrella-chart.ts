import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputFile, outputFiles } from '../manifest/manifest-reader';
import { JsonValue, toYaml } from '../manifest/yaml-emitter';
import { yamlLibrary } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';

export interface PackageOptions {
  /** The synthesized output root (`dist`). */
  readonly distDir: string;
  readonly environment: string;
  /** Chart version (semver), normally package.json's. */
  readonly version: string;
  /** Hand-written chart parts: `platform/` (umbrella) and `component/` (subchart skeleton). */
  readonly chartsDir: string;
  /** Path of the helm binary. */
  readonly helm: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * The object files of `dist/<env>/` by component folder (one subchart each), folders in code point
 * order. API-server files, reports and packages are not cluster objects and are never packaged.
 */
function objectFilesByComponent(envDir: string): Map<string, OutputFile[]> {
  const byComponent = new Map<string, OutputFile[]>();
  for (const f of outputFiles(envDir, ['object'])) {
    const component = f.rel.slice(0, f.rel.indexOf('/'));
    byComponent.set(component, [...(byComponent.get(component) ?? []), f]);
  }
  return new Map([...byComponent].sort(([a], [b]) => byCodePoint(a, b)));
}

/**
 * Lays out the umbrella chart of one environment in `outDir`: the hand-written umbrella parts,
 * one subchart per component whose `files/` hold that component's synthesized YAML verbatim,
 * values with `<component>.enabled: true`, and a values schema that rejects unknown keys.
 */
export function assembleUmbrellaChart(opts: Omit<PackageOptions, 'helm'>, outDir: string): string[] {
  if (!SEMVER.test(opts.version)) throw new Error(`chart version ${JSON.stringify(opts.version)} is not semver (set "version" in package.json)`);
  const envDir = path.join(opts.distDir, opts.environment);
  const filesByComponent = objectFilesByComponent(envDir);
  const components = [...filesByComponent.keys()];
  if (components.length === 0) throw new Error(`${envDir} holds no component folders: run make synth first`);

  const umbrellaSrc = path.join(opts.chartsDir, 'platform');
  const skeletonSrc = path.join(opts.chartsDir, 'component');
  fs.cpSync(umbrellaSrc, outDir, { recursive: true });
  const base = yamlLibrary().parse(fs.readFileSync(path.join(umbrellaSrc, 'Chart.yaml'), 'utf8')) as Record<string, JsonValue>;
  writeYaml(path.join(outDir, 'Chart.yaml'), {
    ...base,
    version: opts.version,
    appVersion: opts.version,
    dependencies: components.map((name) => ({ name, version: opts.version, condition: `${name}.enabled` })),
  });
  const values: Record<string, JsonValue> = { global: { environment: opts.environment } };
  for (const name of components) values[name] = { enabled: true };
  writeYaml(path.join(outDir, 'values.yaml'), values);
  fs.writeFileSync(path.join(outDir, 'values.schema.json'), `${JSON.stringify(valuesSchema(opts.environment, components), null, 2)}\n`);

  const skeleton = yamlLibrary().parse(fs.readFileSync(path.join(skeletonSrc, 'Chart.yaml'), 'utf8')) as Record<string, JsonValue>;
  for (const name of components) {
    const subchart = path.join(outDir, 'charts', name);
    fs.cpSync(skeletonSrc, subchart, { recursive: true });
    writeYaml(path.join(subchart, 'Chart.yaml'), {
      ...skeleton,
      name,
      version: opts.version,
      appVersion: opts.version,
      description: `Bulwark component ${name} (${opts.environment}), synthesized manifests`,
    });
    writeYaml(path.join(subchart, 'values.yaml'), {});
    fs.writeFileSync(path.join(subchart, 'values.schema.json'), `${JSON.stringify(componentSchema(), null, 2)}\n`);
    fs.mkdirSync(path.join(subchart, 'files'));
    for (const file of filesByComponent.get(name)!) fs.copyFileSync(file.path, path.join(subchart, 'files', path.basename(file.rel)));
  }
  return components;
}

/** Assembles and packages the chart into `dist/<env>/platform-<version>.tgz`; returns that path. */
export function packageEnvironment(opts: PackageOptions): string {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-chart-'));
  try {
    const chartDir = path.join(staging, 'platform');
    assembleUmbrellaChart(opts, chartDir);
    const destination = path.join(opts.distDir, opts.environment);
    execFileSync(opts.helm, ['package', chartDir, '--destination', destination], { stdio: ['ignore', 'ignore', 'inherit'] });
    return path.join(destination, `platform-${opts.version}.tgz`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function writeYaml(file: string, value: JsonValue): void {
  fs.writeFileSync(file, toYaml(value));
}

const GLOBAL_SCHEMA = {
  type: 'object',
  description: 'Values shared with every subchart (set by the packager).',
  additionalProperties: false,
  properties: { environment: { type: 'string', description: 'Environment this package was synthesized for.' } },
};

function componentSchema(): JsonValue {
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean', description: 'Install this component.' },
      global: GLOBAL_SCHEMA,
    },
  };
}

function valuesSchema(environment: string, components: readonly string[]): JsonValue {
  const properties: Record<string, JsonValue> = { global: GLOBAL_SCHEMA };
  for (const name of components) {
    properties[name] = {
      type: 'object',
      description: `Component ${name}: its manifests are fixed at synthesis; only whether it installs is a value.`,
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', description: `Install ${name}.` },
        global: GLOBAL_SCHEMA,
      },
    };
  }
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    title: `Bulwark platform values (${environment})`,
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
