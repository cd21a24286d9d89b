/**
 * Stand-in for the one thing the Gatekeeper controller does that the API server relies on: for
 * every ConstraintTemplate it creates the CRD of the template's constraint kind
 * (`<kind lowercased>.constraints.gatekeeper.sh`), whose schema takes `spec.parameters` from the
 * template. Without it no Constraint of dist/ could ever be accepted by a bare API server.
 *
 * Like the real controller it only reacts to templates that exist on the server (it polls), so
 * ordering problems are not hidden: a Constraint applied in the same step as its template is still
 * rejected, as it would be on a real cluster.
 *
 * Follows open-policy-agent/frameworks constraint/pkg/client/crds (CreateSchema, CreateCRD) as
 * used by Gatekeeper v3.23, with one simplification: `spec.match` is an object with
 * x-kubernetes-preserve-unknown-fields (Gatekeeper derives a full schema for it from its target).
 */
import { KubeClient, KubeObject } from './kube';

export const CONSTRAINTS_GROUP = 'constraints.gatekeeper.sh';
const TEMPLATES_PATH = '/apis/templates.gatekeeper.sh/v1/constrainttemplates';

interface TemplateSpec {
  crd?: { spec?: { names?: { kind?: string; shortNames?: string[] }; validation?: { openAPIV3Schema?: unknown } } };
}

/** The constraint kind a ConstraintTemplate defines, if any. */
export function constraintKindOf(template: KubeObject): string | undefined {
  return (template.spec as TemplateSpec | undefined)?.crd?.spec?.names?.kind;
}

export function constraintCrdFor(template: KubeObject): KubeObject | undefined {
  const names = (template.spec as TemplateSpec | undefined)?.crd?.spec?.names;
  const kind = names?.kind;
  if (!kind) return undefined;
  const plural = kind.toLowerCase();
  const parameters = (template.spec as TemplateSpec).crd?.spec?.validation?.openAPIV3Schema;
  const spec: Record<string, unknown> = {
    match: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    enforcementAction: { type: 'string', default: 'deny' },
    scopedEnforcementActions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          action: { type: 'string' },
          enforcementPoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
    },
    ...(parameters ? { parameters } : {}),
  };
  const schema = {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
      spec: { type: 'object', properties: spec },
      status: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: schema },
    subresources: { status: {} },
    additionalPrinterColumns: [
      { name: 'enforcement-action', description: 'Type of enforcement action', jsonPath: '.spec.enforcementAction', type: 'string' },
      { name: 'total-violations', description: 'Total number of violations', jsonPath: '.status.totalViolations', type: 'integer' },
    ],
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${CONSTRAINTS_GROUP}`, labels: { ...(template.metadata.labels ?? {}), 'gatekeeper.sh/constraint': 'yes' } },
    spec: {
      group: CONSTRAINTS_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: plural, ...(names?.shortNames ? { shortNames: names.shortNames } : {}), categories: ['constraint', 'constraints'] },
      scope: 'Cluster',
      versions: [version('v1beta1', true), version('v1alpha1', false)],
    },
  };
}

export interface StandIn {
  /** templates seen -> error creating their CRD ('' when created) */
  readonly handled: Map<string, string>;
  stop(): Promise<void>;
}

/** Polls the server's ConstraintTemplates and creates their constraint CRDs until stopped. */
export function startGatekeeperStandIn(client: KubeClient, intervalMs = 250): StandIn {
  const handled = new Map<string, string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const r = await client.request('GET', TEMPLATES_PATH);
        if (r.status === 200) {
          for (const t of r.json<{ items: KubeObject[] }>().items) {
            const key = `${t.metadata.name}@${t.metadata.resourceVersion}`;
            if (handled.has(key)) continue;
            const crd = constraintCrdFor(t);
            if (!crd) {
              handled.set(key, 'no spec.crd.spec.names.kind');
              continue;
            }
            const res = await client.request(
              'PATCH',
              `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=gatekeeper-e2e-stand-in&force=true`,
              crd,
              'application/apply-patch+yaml',
            );
            handled.set(key, res.status < 300 ? '' : `HTTP ${res.status}: ${res.body.slice(0, 300)}`);
          }
        }
      } catch {
        /* server going away at the end of a phase */
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    handled,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
