import { parseOverlay } from '../../lib/config/load-overlay';
import { configErrors, modelOf, overlayText } from '../helpers';

function modelFrom(env: string, search: string | RegExp, replacement: string) {
  const text = overlayText(env);
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return () => modelOf(parseOverlay(`overlays/${env}.yaml`, changed));
}

describe('policy and controlPlane in the model', () => {
  test('resolves the guarded namespaces and the allowed registries, sorted', () => {
    const prod = modelOf('prod');
    expect(prod.policy).toMatchObject({
      scope: 'cluster',
      enforcementAction: 'deny',
      namespaces: ['bulwark-prod', 'bulwark-prod-team-a', 'bulwark-prod-team-b'],
      allowedRegistries: ['docker.io/hashicorp/', 'docker.io/istio/', 'ghcr.io/bulwark-platform/', 'ghcr.io/stefanprodan/'],
      requiredLabels: ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'],
      falcoNamespace: 'falco',
    });
    expect(prod.controlPlane.encryption).toEqual({ provider: 'kms', kms: { name: 'bulwark-prod-vault', endpoint: 'unix:///var/run/kms-plugin/vault.sock', timeout: '3s' } });
  });

  test('without policy.allowedRegistries, the repositories of the overlay\'s own images and the Istio proxy\'s', () => {
    const model = modelFrom('dev', /\npolicy:\n[\s\S]*?\n\n/, '\n')();
    expect(model.policy.allowedRegistries).toEqual(['docker.io/istio/', 'ghcr.io/bulwark-platform/', 'ghcr.io/stefanprodan/']);
    expect(model.policy.enforcementAction).toBe('deny');
  });

  test('fails on a component image its own policy would reject', () => {
    const errors = configErrors(modelFrom('dev', '    - ghcr.io/stefanprodan/\n', ''));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: components\.podinfo\.image: image is not from an allowed registry, the cluster policy would reject the platform's own pods; received "ghcr\.io\/stefanprodan\/podinfo:6\.7\.1"; allowed: an image starting with ghcr\.io\/bulwark-platform\/, docker\.io\/istio\/; fix: add its registry to policy\.allowedRegistries or use an allowed image$/)]);
  });

  test('fails on a registry prefix without its trailing slash', () => {
    const errors = configErrors(modelFrom('dev', '    - ghcr.io/stefanprodan/\n', '    - ghcr.io/stefanprodan\n'));
    expect(errors).toEqual([
      expect.stringContaining('policy.allowedRegistries[1]: invalid value; received "ghcr.io/stefanprodan"; '
        + 'allowed: an image registry or repository prefix ending in "/", such as ghcr.io/my-org/'),
    ]);
  });

  test('fails on exempting the environment\'s own namespace from cluster-wide policies', () => {
    const errors = configErrors(modelFrom(
      'prod',
      'cert-manager, external-secrets, falco]',
      'cert-manager, external-secrets, falco, bulwark-prod-team-a]',
    ));
    expect(errors).toEqual([
      expect.stringContaining('policy.exemptNamespaces[8]: the environment\'s own namespace is exempt from its cluster policies; '
        + 'received "bulwark-prod-team-a"; allowed: system namespaces only; fix: remove bulwark-prod-team-a'),
    ]);
  });

  test('fails on provider kms without its plugin, and on kms settings with aescbc', () => {
    const errors = configErrors(modelFrom('prod', /\n    kms:\n[\s\S]*?timeout: 3s\n/, '\n'));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/prod\.yaml:\d+:15: controlPlane\.encryption\.provider: provider kms needs a kms section; received "kms"; allowed: controlPlane\.encryption\.kms with name and endpoint; fix: add controlPlane\.encryption\.kms, or use provider: aescbc$/)]);
    const mixed = configErrors(modelFrom('prod', '    provider: kms\n', '    provider: aescbc\n'));
    expect(mixed).toEqual([expect.stringContaining('controlPlane.encryption.kms: kms is set but the provider is aescbc')]);
  });

  test('fails on an unknown enforcement action with a suggestion', () => {
    const errors = configErrors(modelFrom('dev', 'enforcementAction: warn', 'enforcementAction: dry-run'));
    expect(errors).toEqual([
      expect.stringContaining('policy.enforcementAction: unknown value; received "dry-run"; '
        + 'allowed: one of deny, warn, dryrun; fix: did you mean "dryrun"?'),
    ]);
  });
});
