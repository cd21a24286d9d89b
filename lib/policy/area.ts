import { Area } from '../area/area';
import { AdmissionPolicyChart } from './admission-policy-chart';
import { FalcoChart } from './falco-chart';
import { GatekeeperChart } from './gatekeeper-chart';
import { GatekeeperTemplatesChart } from './gatekeeper-templates-chart';

/** The cluster-time guardrails: Gatekeeper templates and constraints, admission policies, Falco rules. */
export const POLICY_AREA: Area = {
  name: 'policy',
  charts: (model) => [
    (app) => new GatekeeperTemplatesChart(app, model),
    (app) => new GatekeeperChart(app, model),
    (app) => new AdmissionPolicyChart(app, model),
    (app) => new FalcoChart(app, model),
  ],
};
