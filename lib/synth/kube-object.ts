/** A synthesized Kubernetes object as plain JSON data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** The objects of one component (one subchart, one folder under dist/<env>/). */
export interface ComponentManifests {
  readonly component: string;
  readonly objects: readonly KubeObject[];
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: how messages name objects. */
export function objectRef(o: KubeObject): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/**
 * Kinds that exist outside namespaces. Kept as data so a new cluster-scoped kind (a CRD's
 * `ClusterIssuer`, say) is one line here rather than a special case in a construct.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService',
  'ClusterRole',
  'ClusterRoleBinding',
  'CSIDriver',
  'CustomResourceDefinition',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
]);

/** cdk8s gives every object its chart's namespace; cluster-scoped objects must carry none. */
export function withoutClusterNamespace(o: KubeObject): KubeObject {
  if (!CLUSTER_SCOPED_KINDS.has(o.kind) || o.metadata.namespace === undefined) return o;
  const { namespace: _dropped, ...metadata } = o.metadata;
  return { ...o, metadata };
}
