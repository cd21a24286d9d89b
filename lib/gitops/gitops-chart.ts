import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../manifest/kube-object';
import { standardLabels } from '../manifest/labels';
import { environmentPath } from '../manifest/layout';
import { environmentName, environmentPrefix } from '../manifest/names';
import { OUTPUT_FOLDERS } from '../manifest/output-kind';
import { PlatformModel } from '../model/platform-model';
import { controllerOwnedFields } from './controller-owned-fields';
import { CLUSTER_NAME, EnvironmentApplicationSet } from './environment-application-set';
import { EnvironmentProject } from './environment-project';
import { projectPermissions } from './project-permissions';

/** `app.kubernetes.io/name` of the Argo CD objects. */
export const GITOPS_NAME = 'gitops';

/**
 * What delivers one environment, in Argo CD's namespace (`dist/<env>/argocd/`): its AppProject
 * (`bulwark-<env>`), allowing exactly what `objects` (the environment's own) are, and its
 * ApplicationSet (`bulwark-<env>`), one Application `bulwark-<env>-<cluster>` per cluster, each
 * syncing the environment's path of the dist branch into that cluster.
 */
export class GitopsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, objects: readonly KubeObject[]) {
    super(scope, OUTPUT_FOLDERS.gitops, { namespace: model.gitops.namespace, disableResourceNameHashes: true });
    const labels = standardLabels({ name: GITOPS_NAME, environment: model.environment, component: 'delivery', version: model.platformVersion });
    const name = environmentPrefix(model.environment);
    const { repoURL, branch, automated } = model.gitops;
    new EnvironmentProject(this, 'project', {
      name,
      description: `Bulwark ${model.environment}: the objects of ${environmentPath(model.environment)} on branch ${branch}, nothing else`,
      repoURL,
      permissions: projectPermissions(objects, model.clusters),
      labels,
    });
    new EnvironmentApplicationSet(this, 'application-set', {
      name,
      applicationName: environmentName(model.environment, CLUSTER_NAME),
      project: name,
      source: { repoURL, targetRevision: branch, path: environmentPath(model.environment) },
      clusters: model.clusters,
      namespace: model.namespace,
      automated,
      ignoreDifferences: controllerOwnedFields(objects),
      labels,
    });
  }
}
