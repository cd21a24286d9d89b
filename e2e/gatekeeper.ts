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
import { constraintCrd, templateOf } from '../scripts/constraint-schemas';
import { KubeClient, KubeObject } from './kube';

export { CONSTRAINTS_GROUP } from '../scripts/constraint-schemas';
const TEMPLATES_PATH = '/apis/templates.gatekeeper.sh/v1/constrainttemplates';

interface TemplateSpec {
  crd?: { spec?: { names?: { kind?: string } } };
}

/** `spec.match` as Gatekeeper's CRD accepts it, kept open here (the target derives its full schema). */
const OPEN_MATCH = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** The constraint kind a ConstraintTemplate defines, if any. */
export function constraintKindOf(template: KubeObject): string | undefined {
  return (template.spec as TemplateSpec | undefined)?.crd?.spec?.names?.kind;
}

/** The CRD Gatekeeper creates for a ConstraintTemplate: the same builder that yields the constraint schemas. */
export function constraintCrdFor(template: KubeObject): KubeObject | undefined {
  if (!constraintKindOf(template)) return undefined;
  const shape = templateOf(template);
  return shape ? (constraintCrd(shape, OPEN_MATCH) as unknown as KubeObject) : undefined;
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
