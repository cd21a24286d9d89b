import { ALL_CHECKS, Check, CheckError, Finding, runChecks } from '../checks';
import { ConfigError, Problem } from '../config/errors';
import { LoadedOverlay } from '../config/load-overlay';
import { buildModel, PlatformModel } from '../model/platform-model';
import { environmentFiles } from './emit';
import { KubeObject } from './kube-object';
import { synthEnvironment } from './synth-environment';

/** What one environment produced, for the summary line and tests. */
export interface EnvironmentResult {
  readonly environment: string;
  readonly components: readonly { readonly name: string; readonly objects: number }[];
  /** Object count per kind, kinds sorted. */
  readonly objectsByKind: Readonly<Record<string, number>>;
  readonly objects: readonly KubeObject[];
  readonly warnings: readonly Finding[];
}

export interface SynthesisResult {
  readonly environments: readonly EnvironmentResult[];
  /** Relative path under the output directory → YAML content. */
  readonly files: ReadonlyMap<string, string>;
}

export interface SynthesizeOptions {
  readonly platformVersion: string;
  /** @default ALL_CHECKS */
  readonly checks?: readonly Check[];
  /** Called once per environment once it is synthesized. */
  readonly onEnvironment?: (result: EnvironmentResult) => void;
  /** Called before each environment is synthesized (index from 0), for a progress line. */
  readonly onProgress?: (environment: string, index: number, count: number) => void;
}

/**
 * overlays → model → constructs → objects → checks → YAML, for every environment, in memory.
 * Writing is the caller's job, so that nothing touches the disk unless every environment passed.
 */
export function synthesize(overlays: readonly LoadedOverlay[], options: SynthesizeOptions): SynthesisResult {
  // Resolve every model first: input errors of all environments surface, together, before any
  // synthesis.
  const problems: Problem[] = [];
  const models: PlatformModel[] = [];
  for (const o of overlays) {
    try {
      models.push(buildModel(o, options.platformVersion));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const files = new Map<string, string>();
  const environments = models.map((model, index): EnvironmentResult => {
    options.onProgress?.(model.environment, index, models.length);
    const components = synthEnvironment(model);
    const objects = components.flatMap((c) => c.objects);
    const findings = runChecks(options.checks ?? ALL_CHECKS, objects);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) throw new CheckError(model.environment, errors);
    for (const [rel, content] of environmentFiles(model.environment, components)) files.set(rel, content);
    const objectsByKind: Record<string, number> = {};
    for (const kind of objects.map((o) => o.kind).sort()) objectsByKind[kind] = (objectsByKind[kind] ?? 0) + 1;
    const result: EnvironmentResult = {
      environment: model.environment,
      components: components.map((c) => ({ name: c.component, objects: c.objects.length })),
      objectsByKind,
      objects,
      warnings: findings.filter((f) => f.severity === 'warning'),
    };
    options.onEnvironment?.(result);
    return result;
  });
  return { environments, files };
}
