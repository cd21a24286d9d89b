import type { Problem } from '../config/errors';
import type { CanaryStepConfig, ComponentOverlay, DeliveryConfig, Overlay } from '../config/overlay-schema';
import type { RuleInput } from './platform-model';

/**
 * Progressive delivery (Argo Rollouts) as the model resolves it from `components.<name>.delivery`,
 * and the rules that keep it workable: each canary step does one thing, a canary is analysed after
 * it takes requests, an analysis spans whole measurements, blue-green has a Service to preview and
 * switch, analysis has a Prometheus to ask, and there are pods to roll.
 */

/** One step of a canary, resolved: an analysis knows how many measurements it takes. */
export type CanaryStep =
  | { readonly setWeight: number }
  | { readonly pause: string }
  | { readonly analysis: string; readonly measurements: number };

/** A canary: the new version takes a growing share of the requests, analysed at its analysis steps. */
export interface CanaryDelivery {
  readonly strategy: 'canary';
  readonly steps: readonly CanaryStep[];
  /** Time between two measurements of an analysis. */
  readonly interval: string;
  /**
   * Whether Istio splits the requests (route weights over the DestinationRule's stable and canary
   * subsets): the component has callers, hence a Service. Without, the split is by pods.
   */
  readonly trafficRouting: boolean;
}

/** Blue-green: the new version runs behind a preview Service, is analysed, then becomes active. */
export interface BlueGreenDelivery {
  readonly strategy: 'blue-green';
  /** How long the preview is analysed before it becomes active, and in how many measurements. */
  readonly prePromotionAnalysis: { readonly duration: string; readonly measurements: number };
  readonly interval: string;
}

export type DeliveryModel = CanaryDelivery | BlueGreenDelivery;

export const DEFAULT_CANARY_STEPS: readonly CanaryStepConfig[] = [
  { setWeight: 20 },
  { analysis: '5m' },
  { setWeight: 50 },
  { analysis: '5m' },
];
export const DEFAULT_PRE_PROMOTION_ANALYSIS = '5m';

const STEP_KEYS = ['setWeight', 'pause', 'analysis'] as const;

/** Seconds of a duration such as "1h30m" or "500ms" (the overlay's duration pattern). */
export function durationSeconds(duration: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of duration.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(n) * unit[u];
  return total;
}

/** Whether anything in the overlay calls the component: a dependent, its public host, or a caller from outside. */
function hasRequestCallers(overlay: Overlay, name: string, c: ComponentOverlay): boolean {
  return c.host !== undefined || c.callers.length > 0 || Object.values(overlay.components).some((o) => o.dependsOn.includes(name));
}

/** The delivery of a component the rules accept. */
export function deliveryOf(overlay: Overlay, name: string, c: ComponentOverlay & { readonly delivery: DeliveryConfig }): DeliveryModel {
  const { delivery } = c;
  const measurements = (d: string): number => Math.round(durationSeconds(d) / durationSeconds(delivery.interval));
  if (delivery.strategy === 'blue-green') {
    const duration = delivery.prePromotionAnalysis ?? DEFAULT_PRE_PROMOTION_ANALYSIS;
    return { strategy: 'blue-green', prePromotionAnalysis: { duration, measurements: measurements(duration) }, interval: delivery.interval };
  }
  return {
    strategy: 'canary',
    interval: delivery.interval,
    trafficRouting: hasRequestCallers(overlay, name, c),
    steps: (delivery.steps ?? DEFAULT_CANARY_STEPS).map((s): CanaryStep => {
      if (s.setWeight !== undefined) return { setWeight: s.setWeight };
      if (s.pause !== undefined) return { pause: s.pause };
      return { analysis: s.analysis!, measurements: measurements(s.analysis!) };
    }),
  };
}

/**
 * The most pods a component runs while it rolls out, its replicas being `replicas` (the
 * autoscaler's maximum): a traffic-routed canary scales the new ReplicaSet to its full size before
 * the last shift while the stable one stays whole (so an abort is instant), blue-green runs a whole
 * preview beside the active set, a canary split by pods surges one pod at a time.
 */
export function podsDuringRollout(overlay: Overlay, name: string, c: ComponentOverlay, replicas: number): number {
  if (!c.delivery) return replicas;
  if (c.delivery.strategy === 'blue-green' || hasRequestCallers(overlay, name, c)) return 2 * replicas;
  return replicas + 1;
}

type Entry = readonly [string, ComponentOverlay];

function withDelivery(components: readonly Entry[]): (readonly [string, ComponentOverlay & { readonly delivery: DeliveryConfig }])[] {
  return components.filter((e): e is readonly [string, ComponentOverlay & { readonly delivery: DeliveryConfig }] => e[1].delivery !== undefined);
}

/** A canary step does one thing: set a weight, pause, or analyse. */
export function canaryStepsDoOneThing({ components, problem }: RuleInput): Problem[] {
  return withDelivery(components).flatMap(([name, c]) => (c.delivery.steps ?? []).flatMap((step, i): Problem[] => {
    const keys = STEP_KEYS.filter((k) => step[k] !== undefined);
    if (keys.length === 1) return [];
    return [problem(['components', name, 'delivery', 'steps', i], {
      message: keys.length === 0 ? 'a canary step does nothing' : 'a canary step does more than one thing',
      received: keys.length === 0 ? 'a step with none of setWeight, pause, analysis' : keys.join(' and '),
      allowed: 'exactly one of setWeight, pause, analysis per step',
      fix: keys.length === 0
        ? 'give it one of setWeight: <percent>, pause: <duration> or analysis: <duration>, or remove it'
        : `split it into ${keys.length} steps, in the order they should run (- ${keys.map((k) => `${k}: ${String(step[k])}`).join(' then - ')})`,
    })];
  }));
}

/** Steps belong to a canary, a pre-promotion analysis to blue-green. */
export function deliveryKeysFitStrategy({ components, problem }: RuleInput): Problem[] {
  return withDelivery(components).flatMap(([name, c]): Problem[] => {
    const { strategy } = c.delivery;
    if (strategy === 'blue-green' && c.delivery.steps !== undefined) {
      return [problem(['components', name, 'delivery', 'steps'], {
        message: 'blue-green has no steps: the preview takes no requests until it becomes active, all at once',
        received: `strategy blue-green with ${c.delivery.steps.length} steps`,
        allowed: 'steps with strategy: canary; prePromotionAnalysis with blue-green',
        fix: 'remove steps (prePromotionAnalysis: <duration> sets how long the preview is analysed), or use strategy: canary',
      }, true)];
    }
    if (strategy === 'canary' && c.delivery.prePromotionAnalysis !== undefined) {
      return [problem(['components', name, 'delivery', 'prePromotionAnalysis'], {
        message: 'a canary has no pre-promotion analysis: it is analysed at its analysis steps',
        received: `strategy canary with prePromotionAnalysis ${JSON.stringify(c.delivery.prePromotionAnalysis)}`,
        allowed: 'prePromotionAnalysis with strategy: blue-green; analysis steps with canary',
        fix: `remove it and add a step analysis: ${c.delivery.prePromotionAnalysis} after a setWeight, or use strategy: blue-green`,
      }, true)];
    }
    return [];
  });
}

/**
 * A canary is analysed once it takes requests: without an analysis step after a setWeight nothing
 * measures it, and nothing would abort it.
 */
export function canaryIsAnalysed({ components, problem }: RuleInput): Problem[] {
  return withDelivery(components).flatMap(([name, c]): Problem[] => {
    if (c.delivery.strategy !== 'canary' || c.delivery.steps === undefined) return [];
    const steps = c.delivery.steps;
    const firstWeight = steps.findIndex((s) => s.setWeight !== undefined);
    if (firstWeight >= 0 && steps.slice(firstWeight + 1).some((s) => s.analysis !== undefined)) return [];
    return [problem(['components', name, 'delivery', 'steps'], {
      message: firstWeight < 0
        ? 'the canary never takes requests: no step sets a weight'
        : 'no analysis step after the canary takes requests: nothing measures it, so nothing would abort and roll it back',
      received: steps.map((s) => STEP_KEYS.filter((k) => s[k] !== undefined).map((k) => `${k} ${String(s[k])}`).join('+') || 'empty').join(', '),
      allowed: 'a setWeight step, and after it an analysis step',
      fix: firstWeight < 0 ? 'add - setWeight: 20 and then - analysis: 5m' : `add - analysis: 5m after - setWeight: ${steps[firstWeight].setWeight}`,
    }, true)];
  });
}

/** An analysis is a whole number of measurements, at least one, one every delivery.interval. */
export function analysesSpanIntervals({ components, problem }: RuleInput): Problem[] {
  return withDelivery(components).flatMap(([name, c]) => {
    const interval = durationSeconds(c.delivery.interval);
    const durations: { path: (string | number)[]; duration: string }[] = [
      ...(c.delivery.steps ?? []).flatMap((s, i) => s.analysis === undefined ? [] : [{ path: ['steps', i, 'analysis'], duration: s.analysis }]),
      ...(c.delivery.prePromotionAnalysis === undefined ? [] : [{ path: ['prePromotionAnalysis'], duration: c.delivery.prePromotionAnalysis }]),
    ];
    return durations.flatMap(({ path, duration }): Problem[] => {
      const seconds = durationSeconds(duration);
      if (seconds >= interval && Number.isInteger(Number((seconds / interval).toFixed(9)))) return [];
      const whole = Math.max(1, Math.round(seconds / interval));
      const wholeDuration = (whole * interval) % 60 === 0 ? `${(whole * interval) / 60}m` : `${whole * interval}s`;
      return [problem(['components', name, 'delivery', ...path], {
        message: `an analysis takes one measurement every delivery.interval (${c.delivery.interval}): ${duration} is not a whole number of them`,
        received: JSON.stringify(duration),
        allowed: `a multiple of ${c.delivery.interval}, at least ${c.delivery.interval}`,
        fix: `use ${wholeDuration} (${whole} measurement${whole === 1 ? '' : 's'}), `
          + 'or change delivery.interval',
      })];
    });
  });
}

/** The analysis asks the Prometheus of `monitoring` for the component's SLIs. */
export function deliveryNeedsMonitoring({ overlay, components, problem }: RuleInput): Problem[] {
  if (overlay.monitoring) return [];
  return withDelivery(components).map(([name]) => problem(['components', name, 'delivery'], {
    message: 'progressive delivery needs monitoring: its analysis asks Prometheus for the component\'s SLIs, and a failed one rolls back',
    received: 'delivery without monitoring',
    allowed: 'components.<name>.delivery together with monitoring (monitoring.prometheus.url)',
    fix: 'add monitoring: {prometheus: {serviceAccount, podLabels, url}}, or remove delivery',
  }, true));
}

/**
 * Blue-green previews the new version behind a preview Service and switches the component's
 * Service to it: a component nothing calls has no Service, so there is nothing to preview or switch.
 */
export function blueGreenHasAService({ overlay, components, problem }: RuleInput): Problem[] {
  return withDelivery(components).filter(([name, c]) => c.delivery.strategy === 'blue-green' && !hasRequestCallers(overlay, name, c))
    .map(([name]) => problem(['components', name, 'delivery', 'strategy'], {
      message: `blue-green without a preview: nothing calls ${name}, so it has no Service to preview the new version behind and switch to it`,
      received: '"blue-green"',
      allowed: 'blue-green for a component with callers (a dependent, a host, or callers); canary for one without',
      fix: 'use strategy: canary (split by pods), or declare who calls it',
    }));
}

/** A Rollout of no pods has nothing to analyse or promote. */
export function deliveryHasPods({ components, problem }: RuleInput): Problem[] {
  return withDelivery(components).filter(([, c]) => c.autoscaling === undefined && c.replicas === 0).map(([name]) => problem(
    ['components', name, 'replicas'],
    {
      message: 'a component with delivery runs no pods: its Rollout would have nothing to analyse or promote',
      received: '0',
      allowed: 'at least 1 replica, or autoscaling, with delivery',
      fix: 'raise replicas, or remove delivery while the component is scaled to zero',
    },
  ));
}
