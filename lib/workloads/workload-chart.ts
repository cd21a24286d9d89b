import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComponentModel, PlatformModel } from '../model/platform-model';
import { priorityClassName } from '../platform/priority-classes';
import { SecureWorkload } from './secure-workload';

/** One subchart per component: the component's secure workload, wired from the model. */
export class WorkloadChart extends Chart {
  public readonly workload: SecureWorkload;

  constructor(scope: Construct, model: PlatformModel, component: ComponentModel) {
    super(scope, component.name, { namespace: model.namespace, disableResourceNameHashes: true });
    const byName = new Map(model.components.map((c) => [c.name, c]));
    const { definition } = component;
    this.workload = new SecureWorkload(this, 'workload', {
      name: component.name,
      environment: model.environment,
      namespace: model.namespace,
      role: definition.role,
      image: component.image,
      version: component.version,
      port: definition.port,
      livenessPath: definition.livenessPath,
      readinessPath: definition.readinessPath,
      args: definition.args,
      writablePaths: definition.writablePaths,
      replicas: component.replicas,
      resources: component.resources,
      config: component.config,
      allowFrom: component.calledBy,
      dependencies: component.dependsOn.map((name) => ({ name, containerPort: byName.get(name)!.definition.port })),
      ingress: component.host && model.ingress
        ? { host: component.host, className: model.ingress.className, controllerNamespace: model.ingress.controllerNamespace }
        : undefined,
      externalEgress: component.externalDependencies,
      autoscaling: component.autoscaling,
      priorityClassName: priorityClassName(model.environment, component.priorityClass),
    });
    for (const permission of component.permissions) this.workload.grant(permission);
  }
}
