import { describePromqlProblem, promqlProblems } from './promql';

/**
 * What a dashboard must be before it is shipped: every panel's every query parses as PromQL and
 * names only metrics the platform knows, and the ConfigMap that carries it fits the annotation
 * `kubectl apply` keeps of it.
 */

/**
 * The most bytes all annotations of an object may hold together (the API server's
 * TotalAnnotationSizeLimitB): a client-side `kubectl apply` stores the whole object, as JSON, in
 * kubectl.kubernetes.io/last-applied-configuration, so an object above it cannot be applied that way.
 */
export const LAST_APPLIED_LIMIT_BYTES = 262144;

interface PanelJson {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string }[];
  readonly panels?: readonly PanelJson[];
}

/** A dashboard JSON model, as far as the checks read it. */
export interface DashboardJson {
  readonly title?: string;
  readonly panels?: readonly object[];
}

/** The panels of a dashboard JSON model, those inside rows included, in order. */
function panelsOf(dashboard: DashboardJson): PanelJson[] {
  return ((dashboard.panels ?? []) as PanelJson[]).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/**
 * One line per bad query of the dashboard, naming the dashboard, the panel, the query and what is
 * wrong with it; none when every query is sound.
 */
export function dashboardQueryProblems(
  dashboard: DashboardJson,
  known: ReadonlySet<string>,
): string[] {
  return panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).flatMap((target) => {
    const expr = target.expr ?? '';
    return promqlProblems(expr, known).map((p) => `dashboard ${JSON.stringify(dashboard.title)}, panel ${JSON.stringify(panel.title)}, `
      + `query ${target.refId ?? '?'} ${JSON.stringify(expr)}: ${describePromqlProblem(p)}`);
  }));
}

/** A problem when the object, as `kubectl apply` would record it, is larger than LAST_APPLIED_LIMIT_BYTES. */
export function lastAppliedSizeProblem(what: string, object: unknown): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(object), 'utf8');
  if (bytes <= LAST_APPLIED_LIMIT_BYTES) return undefined;
  return `${what} is ${bytes} bytes as JSON, above the ${LAST_APPLIED_LIMIT_BYTES} bytes of the kubectl.kubernetes.io/last-applied-configuration `
    + 'annotation a client-side kubectl apply writes; split the dashboard (fewer panels or components per dashboard)';
}
