import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PRIORITY_CLASSES as PRIORITY_CLASS_NAMES, PriorityClassName as PriorityClassKind } from '../config/overlay-schema';
import { environmentName } from '../manifest/names';

export { PRIORITY_CLASS_NAMES, PriorityClassKind };

/**
 * PriorityClasses are cluster-scoped: names carry the environment so that two environments
 * sharing a cluster never fight over one object.
 */
export function priorityClassName(environment: string, kind: PriorityClassKind): string {
  return environmentName(environment, kind);
}

export interface PriorityClassesProps {
  readonly environment: string;
  readonly values: Readonly<Record<PriorityClassKind, number>>;
  readonly labels: Readonly<Record<string, string>>;
}

const DESCRIPTIONS: Record<PriorityClassKind, string> = {
  'platform-critical': 'Bulwark platform services that others depend on; scheduled first.',
  workload: 'Bulwark application workloads.',
  batch: 'Bulwark batch work; never preempts other pods.',
};

/** The three priority tiers of an environment; batch never preempts. */
export class PriorityClasses extends Construct {
  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    const { values } = props;
    if (!(values['platform-critical'] > values.workload && values.workload > values.batch)) {
      throw new Error(`priority-classes: values must descend platform-critical > workload > batch: received ${JSON.stringify(values)}`);
    }
    for (const kind of PRIORITY_CLASS_NAMES) {
      new k8s.KubePriorityClass(this, kind, {
        metadata: { name: priorityClassName(props.environment, kind), labels: { ...props.labels } },
        value: values[kind],
        globalDefault: false,
        preemptionPolicy: kind === 'batch' ? 'Never' : 'PreemptLowerPriority',
        description: DESCRIPTIONS[kind],
      });
    }
  }
}
