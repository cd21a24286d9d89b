import { KubeObject } from '../manifest/kube-object';
import { at, Check, groupBy, indexOnce } from './check';

const budgets = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

const minAvailableOf = (pdb: KubeObject): unknown => (pdb.spec as { minAvailable?: unknown } | undefined)?.minAvailable;

export const pdbBelowHpaMinimum: Check = {
  id: 'pdb-below-hpa-minimum',
  title: 'PDB below the HPA minimum',
  description: 'A PodDisruptionBudget keeps fewer pods than its HorizontalPodAutoscaler\'s minReplicas, so drains never deadlock.',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Lower the PodDisruptionBudget\'s minAvailable below minReplicas (or use maxUnavailable: 1).',
  kinds: new Set(['HorizontalPodAutoscaler']),
  inspect(object, all) {
    if (object.kind !== 'HorizontalPodAutoscaler') return [];
    const spec = (object.spec ?? {}) as { minReplicas?: number; scaleTargetRef?: { name?: string } };
    const min = spec.minReplicas ?? 1;
    const target = spec.scaleTargetRef?.name;
    const pdbs = indexOnce(budgets, all, (objects) =>
      groupBy(objects.filter((o) => o.kind === 'PodDisruptionBudget'), (o) => `${o.metadata.namespace}/${o.metadata.name}`));
    const pdb = pdbs.get(`${object.metadata.namespace}/${target}`)?.[0];
    const minAvailable = pdb ? minAvailableOf(pdb) : undefined;
    if (typeof minAvailable === 'number' && minAvailable >= min) {
      return [at('spec.minReplicas', `PodDisruptionBudget ${target} minAvailable ${minAvailable} is not below minReplicas ${min}`)];
    }
    return [];
  },
};
