/** The `app.kubernetes.io/*` labels every object carries. */
export interface StandardLabelProps {
  /** Component name, e.g. `backend`. */
  readonly name: string;
  /** Environment the release belongs to, e.g. `prod`. */
  readonly environment: string;
  /** Role of the component, e.g. `api`. */
  readonly component: string;
  /** Version of what runs: an image tag, or Bulwark's own version for platform objects. */
  readonly version: string;
}

export const PART_OF = 'bulwark';
export const MANAGED_BY = 'bulwark';

export function standardLabels(props: StandardLabelProps): Record<string, string> {
  return {
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/instance': `${props.name}-${props.environment}`,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/name': props.name,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': props.version,
  };
}

/** The immutable subset used in selectors: never includes the version. */
export function selectorLabels(props: Pick<StandardLabelProps, 'name' | 'environment'>): Record<string, string> {
  return {
    'app.kubernetes.io/instance': `${props.name}-${props.environment}`,
    'app.kubernetes.io/name': props.name,
  };
}

/**
 * On a workload whose replicas an autoscaler owns (`HorizontalPodAutoscaler/<name>`): it leaves
 * spec.replicas unset, which the API server defaults to 1, so the replica-minimum rule judges its
 * autoscaler instead.
 */
export const AUTOSCALED_BY_ANNOTATION = 'bulwark.dev/autoscaled-by';
