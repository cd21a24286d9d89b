import { Area } from '../area/area';
import { GitopsChart } from './gitops-chart';

/** GitOps delivery: the Argo CD AppProject and ApplicationSet of the environment, from its objects. */
export const GITOPS_AREA: Area = {
  name: 'gitops',
  fromObjects: (model, objects) => [{ kind: 'gitops', chart: (app) => new GitopsChart(app, model, objects) }],
};
