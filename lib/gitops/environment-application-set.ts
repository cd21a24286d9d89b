import { Construct } from 'constructs';
import { ApplicationSet } from '../../imports/argoproj.io';
import { ClusterConfig } from '../config/overlay-schema';
import { OwnedFields } from './controller-owned-fields';

/**
 * Where the generated Application's template takes its cluster: the list generator's element of
 * each cluster (`{cluster, server}`), read with Go templates (`missingkey=error`: a misspelled key
 * fails the generation instead of rendering an empty string).
 */
export const CLUSTER_NAME = '{{.cluster}}';
export const CLUSTER_SERVER = '{{.server}}';

/**
 * How every Application of the platform syncs:
 * - ServerSideApply: the apply the e2e run makes too; fields other managers own (an autoscaler's
 *   replicas) are left alone;
 * - PrunePropagationPolicy=background: a pruned object goes at once and its dependents after it
 *   (foreground deletion keeps it, with a finalizer, until a garbage collector has removed them,
 *   and a bare API server runs none);
 * - no PruneLast: it holds every prune (and every later sync, self-heal included) until each
 *   workload is Healthy, so one crash-looping Deployment would stop all deletions; a removed object
 *   is pruned in its own sync wave, after that wave's applies;
 * - RespectIgnoreDifferences: a sync leaves the fields of `ignoreDifferences` as they are in the cluster;
 * - CreateNamespace=false: the platform emits its namespaces, with their Pod Security labels;
 * - FailOnSharedResource: an object another Application already manages (another environment's,
 *   on a shared cluster) fails the sync instead of changing hands.
 */
export const SYNC_OPTIONS: readonly string[] = [
  'ServerSideApply=true',
  'PrunePropagationPolicy=background',
  'RespectIgnoreDifferences=true',
  'CreateNamespace=false',
  'FailOnSharedResource=true',
];

/**
 * How every Application compares the cluster with Git: server-side diff, a dry-run apply, so that
 * the defaults an API server fills in (the ExternalSecret CRD's inside `spec.data[]`) are no
 * difference. Argo CD's own client-side structured-merge diff, the default with ServerSideApply,
 * leaves such objects OutOfSync forever (measured in the e2e GitOps phase with Argo CD v3.5.8).
 */
export const COMPARE_OPTIONS = { 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' } as const;

/**
 * A failed sync is retried: Gatekeeper creates a constraint's kind only after it has processed the
 * template of wave -1, which Argo CD cannot wait for (a ConstraintTemplate has no health check).
 */
export const SYNC_RETRY = { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } } as const;

/** The ApplicationSet of one environment. */
export interface EnvironmentApplicationSetProps {
  /** The ApplicationSet's name. */
  readonly name: string;
  /** The name of each generated Application, with CLUSTER_NAME where the cluster's name goes. */
  readonly applicationName: string;
  /** The AppProject of the Applications. */
  readonly project: string;
  /** The repository, its branch (targetRevision) and the environment's path in it. */
  readonly source: { readonly repoURL: string; readonly targetRevision: string; readonly path: string };
  /** One Application per cluster. */
  readonly clusters: readonly ClusterConfig[];
  /** The namespace of the Applications' destination: the environment's own. */
  readonly namespace: string;
  /**
   * Sync every new revision by itself, pruning and self-healing as told.
   * @default manual sync
   */
  readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
  /** Fields controllers own, which a sync ignores. */
  readonly ignoreDifferences: readonly OwnedFields[];
  /** Labels of the ApplicationSet and of the Applications it generates. */
  readonly labels: Readonly<Record<string, string>>;
}

/** An Argo CD ApplicationSet generating one Application of the environment per cluster. */
export class EnvironmentApplicationSet extends Construct {
  constructor(scope: Construct, id: string, props: EnvironmentApplicationSetProps) {
    super(scope, id);
    new ApplicationSet(this, 'application-set', {
      metadata: { name: props.name, labels: { ...props.labels } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: props.clusters.map((c) => ({ cluster: c.name, server: c.server })) } }],
        template: {
          metadata: { name: props.applicationName, labels: { ...props.labels }, annotations: { ...COMPARE_OPTIONS } },
          spec: {
            project: props.project,
            source: { repoUrl: props.source.repoURL, targetRevision: props.source.targetRevision, path: props.source.path },
            destination: { server: CLUSTER_SERVER, namespace: props.namespace },
            syncPolicy: {
              automated: props.automated && { prune: props.automated.prune, selfHeal: props.automated.selfHeal },
              syncOptions: [...SYNC_OPTIONS],
              retry: { limit: SYNC_RETRY.limit, backoff: { ...SYNC_RETRY.backoff } },
            },
            ignoreDifferences: props.ignoreDifferences.length === 0 ? undefined : props.ignoreDifferences.map((f) => ({
              group: f.group,
              kind: f.kind,
              namespace: f.namespace,
              name: f.name,
              jsonPointers: f.jsonPointers.length > 0 ? [...f.jsonPointers] : undefined,
              jqPathExpressions: f.jqPathExpressions && [...f.jqPathExpressions],
            })),
          },
        },
      },
    });
  }
}
