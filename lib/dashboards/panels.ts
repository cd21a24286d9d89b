import * as common from '@grafana/grafana-foundation-sdk/common';
import { DatasourceVariableBuilder, ThresholdsConfigBuilder, ThresholdsMode, VariableHide } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The few panel shapes the platform's dashboards use, over the foundation SDK's builders: every
 * panel reads the Prometheus the dashboard's `datasource` variable selects, so one dashboard
 * serves whichever Grafana data source points at the environment's Prometheus.
 */

/** The name of the dashboards' data source variable. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The data source every panel and query names: the value of the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** The data source variable: any Prometheus data source of the Grafana, the default one first. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus').hide(VariableHide.DontHide);
}

/** One PromQL query of a panel and how its series are named. */
export interface PanelQuery {
  /** The PromQL; Grafana's interval macros ($__rate_interval) are allowed. */
  readonly expr: string;
  /** The series' legend, e.g. `{{destination_workload}}`. */
  readonly legend: string;
}

/** A level the panel marks: a value at or above it turns `color`. */
export interface PanelThreshold {
  readonly value: number;
  readonly color: 'green' | 'yellow' | 'orange' | 'red';
}

/** What every panel shape takes. */
export interface PanelOptions {
  readonly title: string;
  /** One sentence on what the panel shows and where its numbers come from. */
  readonly description: string;
  /** A Grafana unit id: reqps, percentunit, ms, s, bytes, short. */
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Width in grid columns (of 24). @default 12 */
  readonly width?: number;
  /** The levels the panel marks, lowest first; below the first the value is green. @default none */
  readonly thresholds?: readonly PanelThreshold[];
  /** Decimals shown. @default Grafana's choice */
  readonly decimals?: number;
}

function queries(qs: readonly PanelQuery[]): DataqueryBuilder[] {
  return qs.map((q, i) => new DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(q.expr)
    .legendFormat(q.legend)
    .refId(String.fromCharCode('A'.charCodeAt(0) + i)));
}

function thresholds(levels: readonly PanelThreshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: levels.length > 0 && levels[0].color === 'green' ? 'red' : 'green' },
    ...levels.map((l) => ({ value: l.value, color: l.color })),
  ]);
}

/** A graph over time; its thresholds drawn as dashed lines. */
export function timeseries(o: PanelOptions): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.width ?? 12)
    .height(8)
    .fillOpacity(10)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .targets(queries(o.queries));
  if (o.decimals !== undefined) panel.decimals(o.decimals);
  if (o.thresholds !== undefined) {
    panel.thresholds(thresholds(o.thresholds))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  return panel;
}

/** One number (the last value), coloured by its thresholds. */
export function stat(o: PanelOptions): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.width ?? 6)
    .height(5)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .targets(queries(o.queries));
  if (o.decimals !== undefined) panel.decimals(o.decimals);
  if (o.thresholds !== undefined) panel.thresholds(thresholds(o.thresholds));
  return panel;
}
