import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { RecordingRuleGroup } from '../slo/sli';

export interface SliRecordingRulesProps {
  /** Name of the PrometheusRule. */
  readonly name: string;
  readonly namespace: string;
  /** Its labels: the standard ones and those the Prometheus' ruleSelector matches. */
  readonly labels: Readonly<Record<string, string>>;
  /** The groups of lib/slo's table (recordingRules). */
  readonly groups: readonly RecordingRuleGroup[];
}

/** The SLI table's recording rules as one PrometheusRule, a group per window, in the table's order. */
export class SliRecordingRules extends Construct {
  constructor(scope: Construct, id: string, props: SliRecordingRulesProps) {
    super(scope, id);
    new PrometheusRule(this, 'rule', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        groups: props.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            record: r.record,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            labels: r.labels ? { ...r.labels } : undefined,
          })),
        })),
      },
    });
  }
}
