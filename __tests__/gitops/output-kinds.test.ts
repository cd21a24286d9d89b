import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { outputFiles, readOutputObjects } from '../../lib/manifest/manifest-reader';
import { synthesize } from '../../lib/synth/pipeline';
import { loadOverlay } from '../helpers';

describe('the Argo CD objects and the kustomization in a synthesized tree', () => {
  test('are files of their own kinds: no reader of the environment\'s objects (packager, e2e, policy tests) takes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-gitops-'));
    try {
      for (const [rel, text] of synthesize([loadOverlay('prod')], { platformVersion: '1.2.3' }).files) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      const env = path.join(dir, 'prod');
      expect(outputFiles(env, ['gitops']).map((f) => f.rel))
        .toEqual(['argocd/applicationset-bulwark-prod.yaml', 'argocd/appproject-bulwark-prod.yaml']);
      expect(outputFiles(env, ['kustomization']).map((f) => f.rel)).toEqual(['kustomization.yaml']);
      const objects = readOutputObjects(env);
      expect(objects.filter((o) => o.object.apiVersion.startsWith('argoproj.io/') || o.component === 'argocd')).toEqual([]);
      expect(objects.map((o) => o.object.kind)).not.toContain('Kustomization');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
