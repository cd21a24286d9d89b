/**
 * What a one-step install of the umbrella chart has to know about the objects it renders, before
 * it touches the cluster (lib/package/install.ts runs it):
 *
 * - Gatekeeper creates a constraint kind only after it has seen its ConstraintTemplate, and Helm
 *   maps every kind of a release before it creates anything, hooks included. So the templates are
 *   applied first, carrying Helm's ownership metadata so that the release adopts them; once every
 *   constraint CRD is Established, one `helm upgrade --install` holds every object, guards
 *   included, in revision 1 (`helm rollback <release> 1` keeps them).
 * - Namespaces the objects live in but the chart does not create belong to other installers
 *   (Istio, cert-manager, Falco): the install checks they exist instead of creating them.
 * - Every other kind must already be served (the operators' CRDs are installed first).
 */
import { KubeObject, objectRef } from '../manifest/kube-object';
import { byCodePoint } from '../util/order';

/** A Helm release: where the chart is installed. */
export interface Release {
  /** Release name (`helm upgrade --install <name>`). */
  readonly name: string;
  /** Namespace of the release record. */
  readonly namespace: string;
}

/** The API group Gatekeeper creates constraint kinds in. */
export const CONSTRAINTS_GROUP = 'constraints.gatekeeper.sh';
/** The API group of ConstraintTemplates. */
export const TEMPLATES_GROUP = 'templates.gatekeeper.sh';
/** Labels and annotations that make Helm adopt an existing object into a release. */
export const HELM_MANAGED_BY = 'Helm';
export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** A kind the objects need served, and the objects of that kind. */
export interface NeededKind {
  /** `group/version`, or `v1` for the core group. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly objects: readonly KubeObject[];
}

export interface InstallPlan {
  /** The ConstraintTemplates among the objects, with Helm's ownership metadata for `release`. */
  readonly templates: readonly KubeObject[];
  /** The CRD Gatekeeper creates for each template, by template name. */
  readonly constraintCrds: ReadonlyMap<string, string>;
  /** Namespaces objects live in that no Namespace object of the chart creates, with those objects. */
  readonly prerequisiteNamespaces: ReadonlyMap<string, readonly KubeObject[]>;
  /** Kinds that must be served before the install; constraint kinds of the templates are not among them. */
  readonly kinds: readonly NeededKind[];
}

interface TemplateSpec {
  readonly crd?: { readonly spec?: { readonly names?: { readonly kind?: unknown } } };
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function isTemplate(o: KubeObject): boolean {
  return o.kind === 'ConstraintTemplate' && groupOf(o.apiVersion) === TEMPLATES_GROUP;
}

/** The constraint kind a ConstraintTemplate defines; throws when it names none. */
export function constraintKindOf(template: KubeObject): string {
  const kind = (template.spec as TemplateSpec | undefined)?.crd?.spec?.names?.kind;
  if (typeof kind !== 'string' || kind === '') {
    throw new Error(`${objectRef(template)}: spec.crd.spec.names.kind is missing; a ConstraintTemplate must name the constraint kind it defines`);
  }
  return kind;
}

/** The CRD Gatekeeper creates for a constraint kind: plural = the kind lowercased (frameworks' CreateCRD). */
export function constraintCrdName(kind: string): string {
  return `${kind.toLowerCase()}.${CONSTRAINTS_GROUP}`;
}

/** `o` as Helm leaves objects it installs for `release`, so that the release adopts it. */
export function adoptedBy(o: KubeObject, release: Release): KubeObject {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...o.metadata.labels, [MANAGED_BY_LABEL]: HELM_MANAGED_BY },
      annotations: {
        ...o.metadata.annotations,
        [RELEASE_NAME_ANNOTATION]: release.name,
        [RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
      },
    },
  };
}

/** The plan for installing `objects` (a rendered chart) as `release`. */
export function planInstall(objects: readonly KubeObject[], release: Release): InstallPlan {
  const templates = objects.filter(isTemplate);
  const constraintKinds = new Set(templates.map(constraintKindOf));
  const definedByCrds = new Set(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => crdKind(o)));

  const declared = new Set(objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace').map((o) => o.metadata.name));
  const prerequisites = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const ns = o.metadata.namespace;
    // The release namespace is created by `helm upgrade --install --create-namespace`.
    if (ns === undefined || ns === '' || declared.has(ns) || ns === release.namespace) continue;
    prerequisites.set(ns, [...(prerequisites.get(ns) ?? []), o]);
  }

  const kinds = new Map<string, { apiVersion: string; kind: string; objects: KubeObject[] }>();
  for (const o of objects) {
    const group = groupOf(o.apiVersion);
    const created = (group === CONSTRAINTS_GROUP && constraintKinds.has(o.kind)) || definedByCrds.has(`${group}/${o.kind}`);
    if (created) continue;
    const key = `${o.apiVersion} ${o.kind}`;
    const entry = kinds.get(key) ?? { apiVersion: o.apiVersion, kind: o.kind, objects: [] };
    entry.objects.push(o);
    kinds.set(key, entry);
  }
  return {
    templates: templates.map((t) => adoptedBy(t, release)),
    constraintCrds: new Map(templates.map((t) => [t.metadata.name, constraintCrdName(constraintKindOf(t))])),
    prerequisiteNamespaces: new Map([...prerequisites].sort(([a], [b]) => byCodePoint(a, b))),
    kinds: [...kinds.values()],
  };
}

function crdKind(crd: KubeObject): string {
  const spec = crd.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
  return `${String(spec?.group)}/${String(spec?.names?.kind)}`;
}
