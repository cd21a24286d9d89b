import * as fs from 'fs';
import * as path from 'path';
import { parseOverlay } from '../../lib/config/load-overlay';
import { DEFAULT_PROXY_INIT_RESOURCES, DEFAULT_PROXY_RESOURCES } from '../../lib/config/overlay-schema';
import { configErrors, modelOf, overlayText } from '../helpers';

/** dev's fixture overlay with a mesh.proxy block added under mesh (or the mesh block added). */
function devWithProxy(proxy: string, quota?: [string, string]) {
  let text = overlayText('dev');
  const mesh = /^mesh:\n/m.test(text);
  text = mesh ? text.replace(/^mesh:\n/m, `mesh:\n  proxy:\n${proxy}`) : `${text}\nmesh:\n  proxy:\n${proxy}`;
  if (quota) {
    const changed = text.replace(quota[0], quota[1]);
    if (changed === text) throw new Error(`fixture did not change: ${quota[0]}`);
    text = changed;
  }
  return () => modelOf(parseOverlay('overlays/dev.yaml', text));
}

describe('mesh.proxy: the containers Istio injects, as istiod is installed', () => {
  test('defaults to the resources the README installs istiod with, ephemeral storage included', () => {
    const dev = modelOf('dev');
    expect(dev.mesh.proxy).toEqual({ resources: DEFAULT_PROXY_RESOURCES, initResources: DEFAULT_PROXY_INIT_RESOURCES });
    expect(DEFAULT_PROXY_RESOURCES.requests['ephemeral-storage']).toBeDefined();
    expect(DEFAULT_PROXY_INIT_RESOURCES.limits['ephemeral-storage']).toBeDefined();
  });

  test('the README\'s Istio install values are these defaults', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const { requests, limits } = DEFAULT_PROXY_RESOURCES;
    expect(readme).toContain(`--set values.global.proxy.resources.requests.ephemeral-storage=${requests['ephemeral-storage']} `
      + `--set values.global.proxy.resources.limits.ephemeral-storage=${limits['ephemeral-storage']}\``);
    const init = DEFAULT_PROXY_INIT_RESOURCES;
    const [request, limit] = [init.requests['ephemeral-storage'], init.limits['ephemeral-storage']];
    expect(readme).toContain(`\`${request}\`/\`${limit}\` for \`values.global.proxy_init.resources\``);
  });

  test('fails on proxy resources without ephemeral storage: the resource-limits guard would deny every admitted pod', () => {
    const errors = configErrors(devWithProxy(
      '    resources:\n      requests: { cpu: 100m, memory: 128Mi }\n      limits: { cpu: 500m, memory: 512Mi, ephemeral-storage: 256Mi }\n',
    ));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: mesh\.proxy\.resources\.requests\.ephemeral-storage: missing required key; .*fix: add ephemeral-storage/)]);
  });

  test('fails on a proxy limit above the LimitRange max (Istio\'s own default of 2 CPUs in dev, whose max is 1)', () => {
    const errors = configErrors(devWithProxy(
      '    resources:\n      requests: { cpu: 100m, memory: 128Mi, ephemeral-storage: 64Mi }\n'
        + '      limits: { cpu: "2", memory: 1Gi, ephemeral-storage: 256Mi }\n',
    ));
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: mesh\.proxy\.resources\.limits\.cpu: the injected istio-proxy container's cpu limit is above the namespace LimitRange max, every pod would be rejected; received "2"; allowed: at most "1"; fix: lower mesh\.proxy\.resources\.limits\.cpu \(and istiod's values to match\) or raise limitRange\.max\.cpu$/),
    ]));
  });

  test('fails on an init container request above its limit', () => {
    const errors = configErrors(devWithProxy(
      '    initResources:\n      requests: { cpu: 200m, memory: 16Mi, ephemeral-storage: 16Mi }\n'
        + '      limits: { cpu: 100m, memory: 64Mi, ephemeral-storage: 64Mi }\n',
    ));
    expect(errors).toEqual([
      expect.stringMatching(/mesh\.proxy\.initResources\.requests\.cpu: the injected istio-validation container's cpu request is above its limit, every pod would be rejected; received "200m"; allowed: at most the limit "100m"; /),
    ]);
  });

  test('fails on a quota that holds the components but not the proxy each of their pods runs', () => {
    // dev's quota holds its components' requests, but not with a proxy of 800m in each of its 5 pods.
    const errors = configErrors(devWithProxy(
      '    resources:\n      requests: { cpu: 800m, memory: 128Mi, ephemeral-storage: 64Mi }\n'
        + '      limits: { cpu: "1", memory: 512Mi, ephemeral-storage: 256Mi }\n',
    ));
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/quota\.requests\.cpu: quota is smaller than the components' requests \(at their most replicas\), the largest: istio-proxy \(\d+ pods × "800m"\)/),
    ]));
  });
});
