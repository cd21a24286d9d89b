import { Area } from '../area/area';
import { controlPlaneFiles } from './control-plane-files';

/** What the environment's API server starts with: the audit policy and encryption at rest. */
export const CONTROL_PLANE_AREA: Area = {
  name: 'control-plane',
  files: (model) => [{ kind: 'api-server', files: controlPlaneFiles(model) }],
};
