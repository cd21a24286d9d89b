import { Area } from '../area/area';
import { SecurityChart } from './security-chart';

/** Zero trust at the environment level: the secret store, the issuer, the mesh edge. */
export const SECURITY_AREA: Area = {
  name: 'security',
  charts: (model) => [(app) => new SecurityChart(app, model)],
};
