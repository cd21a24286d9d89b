import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { ProjectPermissions } from './project-permissions';

/** The AppProject of one environment. */
export interface EnvironmentProjectProps {
  /** The project's name, which its Applications name. */
  readonly name: string;
  /** One line for the Argo CD UI. */
  readonly description: string;
  /** The one repository its Applications may read. */
  readonly repoURL: string;
  /** The kinds and destinations its Applications may sync. */
  readonly permissions: ProjectPermissions;
  /** Labels of the AppProject. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * An Argo CD AppProject that allows what one environment is and nothing more: its repository, the
 * kinds it emits (both lists explicit: an absent namespaced list would allow every namespaced
 * kind) and its namespaces on its clusters. Argo CD refuses to sync anything else, whatever a
 * commit to the dist branch holds.
 */
export class EnvironmentProject extends Construct {
  constructor(scope: Construct, id: string, props: EnvironmentProjectProps) {
    super(scope, id);
    const { clusterResources, namespacedResources, destinations } = props.permissions;
    new AppProject(this, 'project', {
      metadata: { name: props.name, labels: { ...props.labels } },
      spec: {
        description: props.description,
        sourceRepos: [props.repoURL],
        destinations: destinations.map((d) => ({ server: d.server, namespace: d.namespace })),
        clusterResourceWhitelist: clusterResources.map((r) => ({ group: r.group, kind: r.kind })),
        namespaceResourceWhitelist: namespacedResources.map((r) => ({ group: r.group, kind: r.kind })),
      },
    });
  }
}
