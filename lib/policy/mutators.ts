import { Construct } from 'constructs';
import {
  Assign,
  AssignMetadata,
  AssignMetadataProps,
  AssignProps,
  AssignSpecParametersPathTestsCondition,
} from '../../imports/mutations.gatekeeper.sh';
import { PART_OF } from '../manifest/labels';
import { WORKLOAD_KINDS, WorkloadKind } from '../manifest/workload-kinds';
import { policyObjectName } from './names';
import { gatekeeperNamespaces, PolicyScope } from './policy-scope';

/**
 * Gatekeeper mutators that bring workloads created outside this repository (a tenant's
 * `kubectl apply`, a third-party chart) up to the platform's defaults before they are validated:
 * the default labels, and a restricted securityContext wherever one is missing. Mutators only
 * fill in what is absent (AssignMetadata never overwrites; every Assign carries a MustNotExist
 * path test), so an explicit setting is judged by the validating rules as written.
 */

/** Labels added to workloads (and their pod templates) that lack them. */
export const DEFAULT_LABELS: readonly { readonly key: string; readonly value: { readonly fromName: true } | { readonly fixed: string } }[] = [
  { key: 'app.kubernetes.io/name', value: { fromName: true } },
  { key: 'app.kubernetes.io/part-of', value: { fixed: PART_OF } },
];

/** A securityContext field set where missing: container-level fields go to every container and init container. */
interface ContextDefault {
  readonly purpose: string;
  readonly level: 'container' | 'pod';
  /** Path below `securityContext`. */
  readonly field: string;
  /** Path below `securityContext` that must not exist for the default to apply. */
  readonly unlessSet: string;
  readonly value: boolean | string | readonly string[];
}

export const SECURITY_CONTEXT_DEFAULTS: readonly ContextDefault[] = [
  {
    purpose: 'allow-privilege-escalation',
    level: 'container',
    field: 'allowPrivilegeEscalation',
    unlessSet: 'allowPrivilegeEscalation',
    value: false,
  },
  { purpose: 'drop-capabilities', level: 'container', field: 'capabilities.drop', unlessSet: 'capabilities.drop', value: ['ALL'] },
  { purpose: 'run-as-non-root', level: 'pod', field: 'runAsNonRoot', unlessSet: 'runAsNonRoot', value: true },
  { purpose: 'seccomp-profile', level: 'pod', field: 'seccompProfile.type', unlessSet: 'seccompProfile', value: 'RuntimeDefault' },
];

/** Workload kinds grouped by where they keep the pod spec: one set of Assigns per shape. */
const SHAPES: readonly { readonly name: string; readonly kinds: readonly WorkloadKind[] }[] = [
  { name: 'pod', kinds: WORKLOAD_KINDS.filter((k) => k.podSpecPath === 'spec') },
  { name: 'template', kinds: WORKLOAD_KINDS.filter((k) => k.podSpecPath === 'spec.template.spec') },
  { name: 'cronjob', kinds: WORKLOAD_KINDS.filter((k) => k.podSpecPath === 'spec.jobTemplate.spec.template.spec') },
];

export interface WorkloadMutatorsProps {
  readonly environment?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly scope: PolicyScope;
}

function byGroup(kinds: readonly WorkloadKind[]): { group: string; versions: string[]; kinds: string[] }[] {
  return [...new Set(kinds.map((k) => k.group))].map((group) => {
    const inGroup = kinds.filter((k) => k.group === group);
    return { group, versions: [...new Set(inGroup.map((k) => k.version))], kinds: inGroup.map((k) => k.kind) };
  });
}

/** Every mutator of an environment, as AssignMetadata and Assign props, in a stable order. */
export function mutatorProps(props: WorkloadMutatorsProps): { metadata: AssignMetadataProps[]; assign: AssignProps[] } {
  const namespaces = gatekeeperNamespaces(props.scope);
  const meta = (purpose: string) => ({ name: policyObjectName(purpose, props.environment), labels: { ...props.labels } });
  const labelValue = (v: (typeof DEFAULT_LABELS)[number]['value']) => ('fromName' in v ? { fromMetadata: { field: 'name' } } : { value: v.fixed });
  const labelPurpose = (key: string) => `label-${key.slice(key.indexOf('/') + 1)}`;

  const metadata: AssignMetadataProps[] = DEFAULT_LABELS.map((label) => ({
    metadata: meta(labelPurpose(label.key)),
    spec: {
      match: { scope: 'Namespaced', kinds: byGroup(WORKLOAD_KINDS).map((g) => ({ apiGroups: [g.group], kinds: g.kinds })), ...namespaces },
      location: `metadata.labels."${label.key}"`,
      parameters: { assign: labelValue(label.value) },
    },
  }));

  const assign: AssignProps[] = [];
  for (const shape of SHAPES) {
    const specPath = shape.kinds[0].podSpecPath;
    const match = { scope: 'Namespaced', kinds: byGroup(shape.kinds).map((g) => ({ apiGroups: [g.group], kinds: g.kinds })), ...namespaces };
    const applyTo = byGroup(shape.kinds).map((g) => ({ groups: [g.group], versions: g.versions, kinds: g.kinds }));
    const add = (purpose: string, location: string, unlessSet: string, value: { value: unknown } | { fromMetadata: { field: string } }): void => {
      assign.push({
        metadata: meta(`${shape.name}-${purpose}`),
        spec: {
          applyTo,
          match,
          location,
          parameters: { pathTests: [{ subPath: unlessSet, condition: AssignSpecParametersPathTestsCondition.MUST_NOT_EXIST }], assign: value },
        },
      });
    };
    if (specPath !== 'spec') {
      // Pods created by the controller inherit these from the template; bare pods get them from AssignMetadata.
      const templateMeta = specPath.replace(/\.spec$/, '.metadata');
      for (const label of DEFAULT_LABELS) {
        const location = `${templateMeta}.labels."${label.key}"`;
        add(labelPurpose(label.key), location, location, labelValue(label.value));
      }
    }
    for (const d of SECURITY_CONTEXT_DEFAULTS) {
      const lists = d.level === 'container' ? [['', 'containers'], ['init-', 'initContainers']] : [['', '']];
      for (const [prefix, list] of lists) {
        const base = list ? `${specPath}.${list}[name:*].securityContext` : `${specPath}.securityContext`;
        add(`${prefix}${d.purpose}`, `${base}.${d.field}`, `${base}.${d.unlessSet}`, { value: Array.isArray(d.value) ? [...d.value] : d.value });
      }
    }
  }
  return { metadata, assign };
}

/** The mutators of one environment. */
export class WorkloadMutators extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadMutatorsProps) {
    super(scope, id);
    const { metadata, assign } = mutatorProps(props);
    for (const p of metadata) new AssignMetadata(this, p.metadata!.name!, p);
    for (const p of assign) new Assign(this, p.metadata!.name!, p);
  }
}
