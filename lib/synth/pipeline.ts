import { ALL_CHECKS, Check, CheckError, Finding, runChecks } from '../checks';
import { applyWaivers, today, WaivedFinding } from '../checks/waivers';
import { ConfigError, Problem } from '../config/errors';
import { LoadedOverlay } from '../config/load-overlay';
import { connectivityCheck, EnvironmentCheck } from '../connectivity/check';
import { KubeObject } from '../manifest/kube-object';
import { kustomizationFiles } from '../manifest/kustomization';
import { environmentFiles } from '../manifest/layout';
import { SharedObject, sharedObjects } from '../model/collisions';
import { buildModel, PlatformModel } from '../model/platform-model';
import { synthEnvironment, withAreaFlows } from './synth-environment';

/** Every check of a whole environment against its model, run once its objects exist. */
export const ENVIRONMENT_CHECKS: readonly EnvironmentCheck[] = [connectivityCheck];

/** What one environment produced, for the summary line (plain data: it crosses worker threads). */
export interface EnvironmentSummary {
  readonly environment: string;
  readonly components: readonly { readonly name: string; readonly objects: number }[];
  /** Object count per kind, kinds sorted. */
  readonly objectsByKind: Readonly<Record<string, number>>;
  readonly warnings: readonly Finding[];
  /** The findings the overlay's waivers accept, each with its waiver. */
  readonly waived: readonly WaivedFinding[];
  /** Its objects beside other environments' (cluster-scoped, in shared namespaces), for the collision check. */
  readonly shared: readonly SharedObject[];
}

/** The summary and the objects themselves, for tests and tools that look inside. */
export interface EnvironmentResult extends EnvironmentSummary {
  readonly objects: readonly KubeObject[];
}

export interface SynthesisResult {
  readonly environments: readonly EnvironmentResult[];
  /** Relative path under the output directory → YAML content. */
  readonly files: ReadonlyMap<string, string>;
}

/** Takes the files of one part of the tree (relative path → content) as soon as they exist. */
export type FileSink = (files: Map<string, string>) => void;

export interface SynthesizeOptions {
  readonly platformVersion: string;
  /** @default ALL_CHECKS */
  readonly checks?: readonly Check[];
  /** @default ENVIRONMENT_CHECKS */
  readonly environmentChecks?: readonly EnvironmentCheck[];
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
  const files = new Map<string, string>();
  const environments = synthesizeEach(overlays, options, (result) => result, (part) => {
    for (const [rel, content] of part) files.set(rel, content);
  });
  return { environments, files };
}

/**
 * `synthesize` for the CLI: each environment's files go to `sink` as soon as they exist (to be
 * staged while the next environment is synthesized) and only summaries are kept, so that the
 * objects and files of a finished environment can be collected: at a thousand services this keeps
 * the heap, and the garbage collector's work, small.
 */
export function synthesizeInto(overlays: readonly LoadedOverlay[], options: SynthesizeOptions, sink: FileSink): EnvironmentSummary[] {
  return synthesizeEach(overlays, options, summaryOf, sink);
}

/** The result without its objects: plain data, small enough to keep and to pass between threads. */
export function summaryOf({ objects: _objects, ...summary }: EnvironmentResult): EnvironmentSummary {
  return summary;
}

function synthesizeEach<T>(
  overlays: readonly LoadedOverlay[],
  options: SynthesizeOptions,
  keep: (result: EnvironmentResult) => T,
  sink: FileSink,
): T[] {
  const models = buildModels(overlays, options.platformVersion);
  return models.map((model, index): T => {
    options.onProgress?.(model.environment, index, models.length);
    const synthesized = synthesizeModel(model, options.checks, sink, options.environmentChecks);
    options.onEnvironment?.(synthesized.result);
    return keep(synthesized.result);
  });
}

/**
 * Every model, or one ConfigError with the input errors of all environments: they surface
 * together, before any synthesis.
 */
export function buildModels(overlays: readonly LoadedOverlay[], platformVersion: string): PlatformModel[] {
  const problems: Problem[] = [];
  const models: PlatformModel[] = [];
  for (const o of overlays) {
    const built = buildModel(o, platformVersion);
    if (built.model) models.push(built.model);
    problems.push(...built.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return models;
}

/**
 * One environment: its objects, checked (a CheckError on any error finding), and its files. The
 * files of each component go to `sink` as soon as the component exists, before the checks of the
 * whole environment (the environment's kustomization.yaml once they all do): the caller stages
 * them while synthesis goes on, and discards the staging if the checks fail. Without a sink they
 * are returned.
 */
export function synthesizeModel(
  model: PlatformModel,
  checks: readonly Check[] = ALL_CHECKS,
  sink?: FileSink,
  environmentChecks: readonly EnvironmentCheck[] = ENVIRONMENT_CHECKS,
): { result: EnvironmentResult; files: Map<string, string> } {
  const files = new Map<string, string>();
  const add = (part: Map<string, string>): void => {
    if (sink) sink(part);
    else for (const [rel, content] of part) files.set(rel, content);
  };
  const components = synthEnvironment(model, (component) => add(environmentFiles(model.environment, [component])));
  add(kustomizationFiles(model.environment, components));
  const objects = components.flatMap((c) => c.objects);
  const flowed = environmentChecks.length > 0 ? withAreaFlows(model) : model;
  const found = [...runChecks(checks, objects), ...environmentChecks.flatMap((c) => c.findings(flowed, objects))];
  const { findings, waived } = applyWaivers(found, model.waivers, today());
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new CheckError(model.environment, errors);
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const objectsByKind: Record<string, number> = {};
  for (const kind of [...counts.keys()].sort()) objectsByKind[kind] = counts.get(kind)!;
  const result: EnvironmentResult = {
    environment: model.environment,
    components: components.map((c) => ({ name: c.component, objects: c.objects.length })),
    objectsByKind,
    objects,
    warnings: findings.filter((f) => f.severity === 'warning'),
    waived,
    shared: sharedObjects(components),
  };
  return { result, files };
}
