import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Rollout, RolloutSpecStrategy, RolloutSpecStrategyCanaryMaxSurge, RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanaryStepsPauseDuration, toJson_RolloutSpecStrategy,
} from '../../imports/argoproj.io';
import { DeliveryModel } from '../model/delivery';
import { CANARY_ROUTE, CANARY_SUBSET, STABLE_SUBSET } from '../security/workload-mesh';
import { ANALYSIS_ARGS } from './slo-analysis';

/** Where a canary's requests are split by Istio: the route Argo Rollouts weighs and the subsets it labels. */
export interface CanaryTrafficRouting {
  /** The VirtualServices whose route CANARY_ROUTE the controller weighs (stable and canary destinations). */
  readonly virtualServices: readonly string[];
  /** The DestinationRule whose `stable` and `canary` subsets the controller labels with each ReplicaSet's hash. */
  readonly destinationRule: string;
}

export interface WorkloadRolloutProps {
  readonly metadata: ApiObjectMetadata;
  readonly selector: Readonly<Record<string, string>>;
  /** @default - unset: an autoscaler owns the count */
  readonly replicas?: number;
  /** The pods, as a Deployment would run them. */
  readonly template: k8s.PodTemplateSpec;
  readonly delivery: DeliveryModel;
  /** The AnalysisTemplate of the component's SLIs (SloAnalysisTemplate). */
  readonly analysisTemplate: string;
  /** Canary only: Istio's split of the requests. @default - split by pods */
  readonly trafficRouting?: CanaryTrafficRouting;
  /** Blue-green only: the Service callers use, which the controller switches, and the one that previews the new pods. */
  readonly services?: { readonly active: string; readonly preview: string };
}

/** The Service of a blue-green component that previews its new pods. */
export function previewServiceName(name: string): string {
  return `${name}-preview`;
}

/**
 * The label the analysis reads the new version from: Istio's canonical revision of the pods (their
 * workload is the Rollout's name for both versions since istio/istio#49256).
 */
const REVISION_LABEL = 'app.kubernetes.io/version';

/**
 * An Argo Rollouts `Rollout` in place of the component's Deployment: the same pod template (the
 * Deployment converted, the path Argo Rollouts' migration guide names first: one object holds the
 * pods, so the checks, guardrails and Git see what runs, and no controller scales a Deployment
 * Git also sets), rolled by the component's delivery: a canary's steps over Istio's route weights
 * (or by pods), or blue-green's preview, active switch and pre-promotion analysis; an analysis
 * that fails aborts the rollout and returns every request to the stable pods, as does a rollout
 * that makes no progress for ten minutes.
 */
export class WorkloadRollout extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadRolloutProps) {
    super(scope, id);
    new ApiObject(this, 'rollout', {
      ...Rollout.GVK,
      metadata: props.metadata,
      spec: {
        replicas: props.replicas,
        revisionHistoryLimit: 5,
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...props.selector } },
        template: k8s.toJson_PodTemplateSpec(props.template),
        strategy: toJson_RolloutSpecStrategy(strategyOf(props)),
      },
    });
  }
}

function analysis(template: string, measurements: number) {
  return {
    templates: [{ templateName: template }],
    args: [
      { name: ANALYSIS_ARGS.measurements, value: String(measurements) },
      { name: ANALYSIS_ARGS.revision, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${REVISION_LABEL}']` } } },
    ],
  };
}

function strategyOf(props: WorkloadRolloutProps): RolloutSpecStrategy {
  const { delivery } = props;
  if (delivery.strategy === 'blue-green') {
    if (!props.services) throw new Error('workload-rollout: blue-green needs its active and preview Services');
    return {
      blueGreen: {
        activeService: props.services.active,
        previewService: props.services.preview,
        autoPromotionEnabled: true,
        prePromotionAnalysis: analysis(props.analysisTemplate, delivery.prePromotionAnalysis.measurements),
      },
    };
  }
  const routing = props.trafficRouting;
  return {
    canary: {
      // Split by pods: one new pod at a time, none taken away before its replacement is ready.
      ...(routing ? {} : {
        maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromNumber(1),
        maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(0),
      }),
      trafficRouting: routing && {
        istio: {
          virtualServices: routing.virtualServices.map((name) => ({ name, routes: [CANARY_ROUTE] })),
          destinationRule: { name: routing.destinationRule, stableSubsetName: STABLE_SUBSET, canarySubsetName: CANARY_SUBSET },
        },
      },
      steps: delivery.steps.map((s) => {
        if ('setWeight' in s) return { setWeight: s.setWeight };
        if ('pause' in s) return { pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(s.pause) } };
        return { analysis: analysis(props.analysisTemplate, s.measurements) };
      }),
    },
  };
}
