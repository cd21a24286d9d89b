import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { lastAppliedSizeProblem } from './check';

/** The label Grafana's dashboard sidecar selects ConfigMaps by (the Grafana chart's sidecar.dashboards.label and labelValue). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

/** The annotation naming a dashboard's folder, when the sidecar runs with folderAnnotation: grafana_folder. */
export const GRAFANA_FOLDER_ANNOTATION = 'grafana_folder';

export interface DashboardConfigMapProps {
  /** The ConfigMap's name; it lives beside other environments' objects, so it carries the environment. */
  readonly name: string;
  /** The namespace Grafana's sidecar watches. */
  readonly namespace: string;
  /** The standard labels; the sidecar's label is added. */
  readonly labels: Readonly<Record<string, string>>;
  /** The file the sidecar writes for Grafana: `<uid>.json`. */
  readonly fileName: string;
  /** The dashboard JSON model. */
  readonly dashboard: object;
  /** The Grafana folder it goes into (the GRAFANA_FOLDER_ANNOTATION). @default none: the sidecar's own folder */
  readonly folder?: string;
}

/**
 * One dashboard as one ConfigMap (one file of the sidecar each, so a change to one dashboard
 * touches one object). The JSON is indented, so that a review of dist/ shows the changed lines.
 * Throws when the object is too large for a client-side kubectl apply.
 */
export class DashboardConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: DashboardConfigMapProps) {
    super(scope, id);
    const metadata = {
      name: props.name,
      namespace: props.namespace,
      labels: { ...props.labels, ...GRAFANA_DASHBOARD_LABEL },
      ...(props.folder === undefined ? {} : { annotations: { [GRAFANA_FOLDER_ANNOTATION]: props.folder } }),
    };
    const data = { [props.fileName]: `${JSON.stringify(props.dashboard, null, 2)}\n` };
    const tooLarge = lastAppliedSizeProblem(`ConfigMap ${props.namespace}/${props.name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata, data });
    if (tooLarge !== undefined) throw new Error(`dashboards: ${tooLarge}`);
    new k8s.KubeConfigMap(this, 'config-map', { metadata, data });
  }
}
