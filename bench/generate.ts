/**
 * Writes one benchmark workspace for N services:
 *
 *   <dir>/overlays/<env>.yaml     Bulwark's input (three environments)
 *   <dir>/chart/                  the equivalent Helm chart (bench/helm-chart.ts)
 *   <dir>/values-<env>.yaml       its values, one file per environment
 *   <dir>/objects.json            every object with the file Bulwark writes it to (the floor's input)
 *
 * The platform objects of each environment (namespace baseline, issuers, store) go into the
 * chart's values as data; they come from an in-process synthesis of the same overlays.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readOverlays } from '../lib/config/load-overlay';
import { KubeObject } from '../lib/manifest/kube-object';
import { manifestFileName } from '../lib/manifest/layout';
import { JsonValue } from '../lib/manifest/yaml-emitter';
import { synthesize } from '../lib/synth/pipeline';
import { chartFiles, SERVICE_TEMPLATES, valuesFile } from './helm-chart';
import { BENCH_ENVIRONMENTS, benchServices, overlayText } from './platform-spec';

export interface BenchWorkspace {
  readonly dir: string;
  readonly n: number;
  readonly overlaysDir: string;
  readonly chartDir: string;
  /** Environment → its values file. */
  readonly valuesFiles: ReadonlyMap<string, string>;
  /** `[{ path, object }]`, path relative to an output directory, as Bulwark lays it out (.json). */
  readonly objectsFile: string;
  /** Objects per environment. */
  readonly objectCounts: ReadonlyMap<string, number>;
}

export interface FloorEntry {
  readonly path: string;
  readonly object: KubeObject;
}

const isService = (component: string): boolean => component.startsWith('svc-');

export function generateWorkspace(dir: string, n: number, platformVersion: string): BenchWorkspace {
  fs.rmSync(dir, { recursive: true, force: true });
  const overlaysDir = path.join(dir, 'overlays');
  const chartDir = path.join(dir, 'chart');
  fs.mkdirSync(overlaysDir, { recursive: true });
  for (const env of BENCH_ENVIRONMENTS) fs.writeFileSync(path.join(overlaysDir, `${env.environment}.yaml`), overlayText(n, env));

  const { overlays, problems } = readOverlays(overlaysDir);
  if (problems.length > 0) throw new Error(`bench overlays are invalid:\n${problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n')}`);
  const result = synthesize(overlays, { platformVersion });

  for (const [rel, content] of chartFiles()) {
    fs.mkdirSync(path.dirname(path.join(chartDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(chartDir, rel), content);
  }
  const valuesFiles = new Map<string, string>();
  const objectCounts = new Map<string, number>();
  const floor: FloorEntry[] = [];
  for (const env of BENCH_ENVIRONMENTS) {
    const synthesized = result.environments.find((e) => e.environment === env.environment);
    if (!synthesized) throw new Error(`bench: no synthesis for ${env.environment}`);
    const extraObjects: KubeObject[] = [];
    let at = 0;
    for (const component of synthesized.components) {
      const objects = synthesized.objects.slice(at, at + component.objects);
      at += component.objects;
      for (const o of objects) {
        floor.push({ path: `${env.environment}/${component.name}/${manifestFileName(o).replace(/\.yaml$/, '.json')}`, object: o });
      }
      if (!isService(component.name)) {
        extraObjects.push(...objects);
        continue;
      }
      const untemplated = objects.filter((o) => SERVICE_TEMPLATES[o.kind] === undefined).map((o) => o.kind);
      if (untemplated.length > 0) {
        throw new Error(`bench: Bulwark now emits ${untemplated.join(', ')} for ${component.name}; add a template for it to bench/helm-chart.ts`);
      }
    }
    objectCounts.set(env.environment, synthesized.objects.length);
    const values = path.join(dir, `values-${env.environment}.yaml`);
    fs.writeFileSync(values, valuesFile(env, benchServices(n, env), extraObjects as unknown as JsonValue[]));
    valuesFiles.set(env.environment, values);
  }
  const objectsFile = path.join(dir, 'objects.json');
  fs.writeFileSync(objectsFile, JSON.stringify(floor));
  return { dir, n, overlaysDir, chartDir, valuesFiles, objectsFile, objectCounts };
}
