import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RBAC_VERBS, RbacVerb, READ_VERBS } from '../manifest/rbac';


/** One permission. Wildcards cannot be granted; secrets need a reason. */
export interface PermissionGrant {
  /** @default [''] (the core group) */
  readonly apiGroups?: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly RbacVerb[];
  /** @default - every object of the resources in the namespace */
  readonly resourceNames?: readonly string[];
  /** Why the workload needs it; shown in the Role's annotations. Required for secrets. */
  readonly reason?: string;
}

/** A read-only grant: `WorkloadRole.grantRead` picks the verbs. */
export type ReadGrantOptions = Omit<PermissionGrant, 'resources' | 'verbs'>;

export interface WorkloadRoleProps {
  /** Name of the Role and RoleBinding (the component's name). */
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The namespace-scoped permissions of one service account. Nothing is emitted until something is
 * granted: the default is no API access at all.
 */
export class WorkloadRole extends Construct {
  private readonly rules: k8s.PolicyRule[] = [];
  private readonly reasons: string[] = [];
  private emitted = false;

  constructor(scope: Construct, id: string, private readonly props: WorkloadRoleProps) {
    super(scope, id);
  }

  /** Grants `grant`; throws on wildcards, unknown verbs or unexplained access to secrets. */
  public grant(grant: PermissionGrant): void {
    validateGrant(this.props.name, grant);
    this.rules.push({
      apiGroups: [...(grant.apiGroups ?? [''])],
      resources: [...grant.resources],
      verbs: [...grant.verbs],
      resourceNames: grant.resourceNames ? [...grant.resourceNames] : undefined,
    });
    const target = `${grant.verbs.join(',')} ${grant.resources.join(',')}${grant.resourceNames ? `/${grant.resourceNames.join(',')}` : ''}`;
    this.reasons.push(grant.reason ? `${target}: ${grant.reason}` : target);
    this.emit();
  }

  /** Read-only access (get, or get/list/watch when not limited to named objects). */
  public grantRead(resources: readonly string[], options: ReadGrantOptions = {}): void {
    this.grant({ ...options, resources, verbs: options.resourceNames ? ['get'] : READ_VERBS });
  }

  /** The rules granted so far. */
  public get grantedRules(): readonly k8s.PolicyRule[] {
    return this.rules;
  }

  private emit(): void {
    if (this.emitted) return;
    this.emitted = true;
    const metadata: ApiObjectMetadata = {
      name: this.props.name,
      namespace: this.props.namespace,
      labels: { ...this.props.labels },
      annotations: { 'bulwark.dev/grants': Lazy.any({ produce: () => this.reasons.join('\n') }) },
    };
    new k8s.KubeRole(this, 'role', { metadata, rules: Lazy.any({ produce: () => this.rules }) });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { name: this.props.name, namespace: this.props.namespace, labels: { ...this.props.labels } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.props.name },
      subjects: [{ kind: 'ServiceAccount', name: this.props.serviceAccountName, namespace: this.props.namespace }],
    });
  }
}

function validateGrant(owner: string, g: PermissionGrant): void {
  const fail = (what: string, received: unknown, allowed: string): never => {
    throw new Error(`workload-role "${owner}": invalid ${what}: received ${JSON.stringify(received)}; allowed: ${allowed}`);
  };
  const lists: [string, readonly string[] | undefined][] = [
    ['apiGroups', g.apiGroups],
    ['resources', g.resources],
    ['verbs', g.verbs],
    ['resourceNames', g.resourceNames],
  ];
  for (const [field, values] of lists) {
    if (values?.some((v) => v.includes('*'))) fail(field, values, 'named values only, never "*"');
  }
  if (g.resources.length === 0) fail('resources', g.resources, 'at least one resource');
  if (g.verbs.length === 0) fail('verbs', g.verbs, 'at least one verb');
  for (const v of g.verbs) if (!RBAC_VERBS.includes(v)) fail('verb', v, RBAC_VERBS.join(', '));
  if (g.resources.includes('secrets') && !g.reason) fail('grant on secrets', g.resources, 'secrets only with a reason');
}
