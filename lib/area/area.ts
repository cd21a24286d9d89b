import { App, Chart } from 'cdk8s';
import { KubeObject } from '../manifest/kube-object';
import { ContributedFlow, PlatformModel } from '../model/platform-model';

/** Builds one chart (one component folder, one subchart) in the App it is given. */
export type ChartFactory = (app: App) => Chart;

/**
 * Files of one kind that are not cluster objects, by file name; the kind decides their folder
 * (`OUTPUT_FOLDERS` in lib/manifest/output-kind.ts).
 */
export interface AreaFiles {
  /** What the files are. */
  readonly kind: 'api-server' | 'report';
  /** File name → content, written verbatim. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Objects that are not the environment's own (`gitops`: the Argo CD objects that deliver it),
 * built as one chart; the kind decides their folder (`OUTPUT_FOLDERS`), never the chart's id.
 */
export interface AreaObjects {
  /** What the objects are. */
  readonly kind: 'gitops';
  /** Builds them in the App it is given. */
  readonly chart: ChartFactory;
}

/**
 * One area of the platform (the namespace baseline, zero trust, workloads, policy, the control
 * plane, …) as the orchestrator sees it: what it adds to an environment, read from the model. An
 * area is a folder of constructs plus one `Area` registered in lib/synth/areas.ts; the orchestrator
 * knows no area by name. Areas never reach into each other's objects: what one needs from another
 * travels as data through the model; only `fromObjects` sees what the charts emitted, all of it
 * and read-only, never whose it is.
 */
export interface Area {
  /** Names the area in messages and in docs/architecture.md. */
  readonly name: string;
  /**
   * The charts this area adds to the environment, in output order; each is built in an App of its
   * own and becomes the folder `<env>/<chart id>/`.
   * @default none
   */
  readonly charts?: (model: PlatformModel) => readonly ChartFactory[];
  /**
   * Files that are not cluster objects (API server configuration, reports).
   * @default none
   */
  readonly files?: (model: PlatformModel) => readonly AreaFiles[];
  /**
   * Flows this area needs into the components (a metrics scrape, a telemetry export): before any
   * chart is built they join the model (withFlows), so that every area, the components' network
   * and mesh policies included, sees and allows them.
   * @default none
   */
  readonly flows?: (model: PlatformModel) => readonly ContributedFlow[];
  /**
   * Objects derived from the environment's own objects, once every area's charts are built (Argo
   * CD's AppProject allows exactly the kinds and namespaces they use): the area reads what every
   * chart produced, in output order, without knowing which area built what, and never changes it.
   * What it returns is not the environment's own, so no area's hook sees it.
   * @default none
   */
  readonly fromObjects?: (model: PlatformModel, objects: readonly KubeObject[]) => readonly AreaObjects[];
}
