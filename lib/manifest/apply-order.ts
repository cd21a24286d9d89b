import { apiGroupOf, isClusterScoped, KubeObject } from './kube-object';

/** Argo CD's annotation that orders a sync: each wave is applied, and healthy, before the next. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Objects that define kinds other objects of the environment are (`group/Kind`). */
const KIND_DEFINITIONS: ReadonlySet<string> = new Set([
  'apiextensions.k8s.io/CustomResourceDefinition',
  // Gatekeeper makes a constraint kind of each template.
  'templates.gatekeeper.sh/ConstraintTemplate',
]);

/** One step of applying an environment: its objects go to the cluster after those of every earlier stage. */
export interface ApplyStage {
  /** What the stage holds, for messages. */
  readonly name: string;
  /** The Argo CD sync wave of its objects (0, the default, is never written). */
  readonly wave: number;
  readonly holds: (o: KubeObject) => boolean;
}

/**
 * The order in which an environment's objects are applied, first to last, by `kubectl apply -k`
 * (the kustomization lists them in it) and by Argo CD (the sync waves): namespaces before what
 * lives in them, the definition of a kind before objects of that kind, cluster-scoped objects
 * (priority classes, admission policies) before the namespaced objects they govern.
 */
export const APPLY_STAGES: readonly ApplyStage[] = [
  { name: 'namespaces', wave: -2, holds: (o) => o.kind === 'Namespace' && o.apiVersion === 'v1' },
  { name: 'kind definitions', wave: -1, holds: (o) => KIND_DEFINITIONS.has(`${apiGroupOf(o.apiVersion)}/${o.kind}`) },
  { name: 'cluster-scoped objects', wave: 0, holds: isClusterScoped },
  { name: 'namespaced objects', wave: 0, holds: () => true },
];

/** The index in APPLY_STAGES of the stage an object is applied in. */
export function applyStageOf(o: KubeObject): number {
  return APPLY_STAGES.findIndex((stage) => stage.holds(o));
}

/** `items` in apply order: by stage, and in their given order within a stage. */
export function inApplyOrder<T>(items: readonly T[], objectOf: (item: T) => KubeObject): T[] {
  return items
    .map((item, index) => ({ item, index, stage: applyStageOf(objectOf(item)) }))
    .sort((a, b) => a.stage - b.stage || a.index - b.index)
    .map(({ item }) => item);
}

/**
 * The object with the sync wave of its stage, so that Argo CD applies stage by stage as
 * `kubectl apply -k` does. A chart may write the wave itself (the ConstraintTemplates do, for
 * clusters that sync the packaged chart), but only the wave of its stage: anything else would make
 * the two orders disagree.
 */
export function withSyncWave(o: KubeObject): KubeObject {
  const stage = APPLY_STAGES[applyStageOf(o)];
  const wave = String(stage.wave);
  const written = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (written !== undefined && written !== wave) {
    throw new Error(`${o.kind}/${o.metadata.name} carries ${SYNC_WAVE_ANNOTATION}: ${JSON.stringify(written)}, but ${stage.name} are applied `
      + `in wave ${wave}; remove the annotation (the apply order in lib/manifest/apply-order.ts sets it)`);
  }
  if (written !== undefined || stage.wave === 0) return o;
  const annotations = sortedKeys({ ...o.metadata.annotations, [SYNC_WAVE_ANNOTATION]: wave });
  return { ...o, metadata: sortedKeys({ ...o.metadata, annotations }) as KubeObject['metadata'] };
}

/** Keys in code point order, as cdk8s writes every object. */
function sortedKeys<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}
