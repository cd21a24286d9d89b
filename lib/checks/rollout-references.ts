import { KubeObject } from '../manifest/kube-object';
import { at, Check, groupBy, indexOnce } from './check';

type Json = Record<string, unknown>;

interface AnalysisRef {
  readonly templates?: readonly { readonly templateName?: string; readonly clusterScope?: boolean }[];
}

interface Strategy {
  readonly canary?: {
    readonly canaryService?: string;
    readonly stableService?: string;
    readonly analysis?: AnalysisRef;
    readonly steps?: readonly { readonly analysis?: AnalysisRef }[];
    readonly trafficRouting?: {
      readonly istio?: {
        readonly virtualService?: { readonly name?: string; readonly routes?: readonly string[] };
        readonly virtualServices?: readonly { readonly name?: string; readonly routes?: readonly string[] }[];
        readonly destinationRule?: { readonly name?: string; readonly canarySubsetName?: string; readonly stableSubsetName?: string };
      };
    };
  };
  readonly blueGreen?: {
    readonly activeService?: string;
    readonly previewService?: string;
    readonly prePromotionAnalysis?: AnalysisRef;
    readonly postPromotionAnalysis?: AnalysisRef;
  };
}

const byName = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

/** The objects of the set, by `kind/namespace/name` (cluster-scoped ones with an empty namespace). */
function objectsByName(all: readonly KubeObject[]): Map<string, KubeObject[]> {
  return groupBy(all, (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

/** The names of the HTTP routes of a VirtualService, and the subsets each one's destinations name. */
function routesOf(vs: KubeObject): Map<string, Set<string>> {
  const http = ((vs.spec ?? {}) as { http?: readonly { name?: string; route?: readonly { destination?: { subset?: string } }[] }[] }).http ?? [];
  return new Map(http.map((r) => [r.name ?? '', new Set((r.route ?? []).flatMap((d) => (d.destination?.subset ? [d.destination.subset] : [])))]));
}

/**
 * What a Rollout names must be among the environment's objects: the Argo Rollouts controller
 * otherwise fails at run time, on the first update, with the new version already built. Its
 * VirtualServices must hold each route it weighs, with a destination in its stable and its canary
 * subset; its DestinationRule must have both subsets; its Services and AnalysisTemplates must exist.
 */
export const rolloutReferencesResolve: Check = {
  id: 'rollout-references-resolve',
  title: 'Rollout references resolve',
  description: 'Every object a Rollout names exists: its VirtualServices with their routes over the stable and canary subsets, its '
    + 'DestinationRule with both subsets, its Services and AnalysisTemplates.',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Emit every object the Rollout names (VirtualService routes, DestinationRule subsets, Services, AnalysisTemplates).',
  kinds: new Set(['Rollout']),
  inspect(object, all) {
    if (object.kind !== 'Rollout') return [];
    const index = indexOnce(byName, all, objectsByName);
    const namespace = object.metadata.namespace ?? '';
    const find = (kind: string, name: string, scope = namespace): KubeObject | undefined => index.get(`${kind}/${scope}/${name}`)?.[0];
    const strategy = ((object.spec ?? {}) as { strategy?: Strategy }).strategy ?? {};
    const problems: string[] = [];
    const missing = (kind: string, name: string, fix: string): void => {
      problems.push(`names ${kind} ${JSON.stringify(name)}, which the environment does not emit in ${namespace}; fix: ${fix}`);
    };

    const istio = strategy.canary?.trafficRouting?.istio;
    const rule = istio?.destinationRule;
    const subsets = [rule?.stableSubsetName, rule?.canarySubsetName].filter((s): s is string => s !== undefined);
    if (rule?.name !== undefined) {
      const dr = find('DestinationRule', rule.name);
      const defined = new Set((((dr?.spec ?? {}) as Json).subsets as readonly { name?: string }[] | undefined ?? []).map((s) => s.name));
      if (!dr) missing('DestinationRule', rule.name, 'emit it for the component\'s host, with the stable and canary subsets');
      else {
        for (const s of subsets.filter((n) => !defined.has(n))) {
          problems.push(`DestinationRule ${JSON.stringify(rule.name)} has no subset ${JSON.stringify(s)}; `
            + 'fix: add the subset (labels: the pods\' selector)');
        }
      }
    }
    for (const ref of [...(istio?.virtualService ? [istio.virtualService] : []), ...(istio?.virtualServices ?? [])]) {
      if (ref.name === undefined) continue;
      const vs = find('VirtualService', ref.name);
      if (!vs) {
        missing('VirtualService', ref.name, 'emit the route the canary weighs');
        continue;
      }
      const routes = routesOf(vs);
      for (const route of ref.routes ?? []) {
        const named = routes.get(route);
        if (!named) {
          problems.push(`VirtualService ${JSON.stringify(ref.name)} has no HTTP route ${JSON.stringify(route)} `
            + `(it has: ${[...routes.keys()].map((r) => JSON.stringify(r)).join(', ') || 'none'}); fix: name the route the canary weighs`);
          continue;
        }
        const absent = subsets.filter((s) => !named.has(s));
        if (absent.length > 0) {
          problems.push(`route ${JSON.stringify(route)} of VirtualService ${JSON.stringify(ref.name)} has no destination in subset `
            + `${absent.map((s) => JSON.stringify(s)).join(' or ')}; fix: give it a weighted destination in each of ${subsets.join(', ')}`);
        }
      }
    }
    const { canary, blueGreen } = strategy;
    const services = [canary?.stableService, canary?.canaryService, blueGreen?.activeService, blueGreen?.previewService];
    for (const name of services) if (name !== undefined && !find('Service', name)) missing('Service', name, 'emit the Service the strategy switches');
    const analyses = [
      strategy.canary?.analysis,
      ...(strategy.canary?.steps ?? []).map((s) => s.analysis),
      strategy.blueGreen?.prePromotionAnalysis,
      strategy.blueGreen?.postPromotionAnalysis,
    ];
    const templates = new Map<string, boolean>();
    for (const a of analyses) for (const t of a?.templates ?? []) if (t.templateName) templates.set(t.templateName, t.clusterScope === true);
    for (const [name, cluster] of templates) {
      const kind = cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      if (!find(kind, name, cluster ? '' : namespace)) missing(kind, name, 'emit the analysis the rollout runs');
    }
    return problems.map((message) => at('spec.strategy', message));
  },
};
