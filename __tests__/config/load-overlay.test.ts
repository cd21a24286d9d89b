import { parseOverlay } from '../../lib/config/load-overlay';
import { configErrors, overlayText } from '../helpers';

/** The dev overlay with one line replaced: the smallest realistic bad input. */
function devWith(search: string | RegExp, replacement: string): string {
  const text = overlayText('dev');
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return changed;
}

const parse = (text: string | Buffer, file = 'overlays/dev.yaml') => () => parseOverlay(file, text);

describe('parseOverlay', () => {
  test('loads every committed overlay with defaults applied', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const { overlay } = parseOverlay(`overlays/${env}.yaml`, overlayText(env));
      expect(overlay.environment).toBe(env);
      expect(overlay.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] });
      expect(Object.keys(overlay.components).sort()).toEqual(['agent', 'backend', 'frontend', 'mcp', 'podinfo']);
    }
  });

  test('applies defaults for keys an overlay leaves out', () => {
    const { overlay } = parseOverlay('overlays/dev.yaml', overlayText('dev'));
    expect(overlay.components.backend).toMatchObject({ priorityClass: 'platform-critical', permissions: [] });
    expect(overlay.components.frontend).toMatchObject({ priorityClass: 'workload', config: {} });
    expect(overlay.tenants).toEqual([]);
  });

  test('fails on an unknown key with file, line, column, path and a suggestion', () => {
    const errors = configErrors(parse(devWith('    image: ghcr.io/bulwark-platform/backend:1.4.2', '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replcias: 2')));
    expect(errors).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:5: components\.backend\.replcias: unknown key; received "replcias"; allowed: image, replicas, .*; fix: did you mean "replicas"\?$/),
    ]);
  });

  test('fails on a wrong type, naming what was received and what is allowed', () => {
    const errors = configErrors(parse(devWith('    image: ghcr.io/bulwark-platform/backend:1.4.2', '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replicas: three')));
    expect(errors[0]).toMatch(/^overlays\/dev\.yaml:\d+:15: components\.backend\.replicas: wrong type; received "three"; allowed: an integer from 0 to 100$/);
  });

  test('fails on replicas below zero', () => {
    const errors = configErrors(parse(devWith('    image: ghcr.io/bulwark-platform/backend:1.4.2', '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replicas: -1')));
    expect(errors[0]).toContain('components.backend.replicas: out of range; received -1; allowed: an integer from 0 to 100');
  });

  test('fails on an unknown component with a suggestion', () => {
    const errors = configErrors(parse(devWith('  podinfo:', '  podinfoo:')));
    expect(errors[0]).toMatch(/components\.podinfoo: unknown value; received "podinfoo"; allowed: one of agent, backend, frontend, mcp, podinfo; fix: did you mean "podinfo"\?/);
  });

  test('fails on a missing required key, saying what to add', () => {
    const errors = configErrors(parse(devWith(/\nnamespace: bulwark-dev\n/, '\n')));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:3:1: namespace: missing required key; allowed: a DNS-1123 label .*; fix: add namespace \(namespace the workloads run in\)$/)]);
  });

  test.each([
    ['no tag', 'ghcr.io/bulwark-platform/backend', 'image has no tag'],
    ['latest', 'ghcr.io/bulwark-platform/backend:latest', 'image uses the floating "latest" tag'],
    ['registry port only', 'localhost:5000/backend', 'image has no tag'],
  ])('fails on an image with %s', (_, image, message) => {
    const errors = configErrors(parse(devWith('ghcr.io/bulwark-platform/backend:1.4.2', image)));
    expect(errors[0]).toContain(`components.backend.image: ${message}; received "${image}"; allowed: a pinned tag or digest`);
  });

  test('accepts an image pinned by digest', () => {
    const digest = `ghcr.io/org/backend@sha256:${'a'.repeat(64)}`;
    expect(parseOverlay('overlays/dev.yaml', devWith('ghcr.io/bulwark-platform/backend:1.4.2', digest)).overlay.components.backend?.image).toBe(digest);
  });

  test('fails on a setting that looks like a literal secret', () => {
    const errors = configErrors(parse(devWith('      LOG_LEVEL: debug\n    dependsOn: [mcp, database]', '      LOG_LEVEL: debug\n      DB_PASSWORD: hunter2\n    dependsOn: [mcp, database]')));
    expect(errors[0]).toMatch(/components\.backend\.config\.DB_PASSWORD: setting looks like a secret and would be stored in plain text; received "DB_PASSWORD"/);
  });

  test('fails on an invalid DNS-1123 namespace', () => {
    const errors = configErrors(parse(devWith('namespace: bulwark-dev', 'namespace: Bulwark_Dev')));
    expect(errors[0]).toContain('namespace: invalid value; received "Bulwark_Dev"; allowed: a DNS-1123 label');
  });

  test('fails on a duplicate key at its position', () => {
    const errors = configErrors(parse(devWith('namespace: bulwark-dev', 'namespace: bulwark-dev\nnamespace: other')));
    expect(errors[0]).toMatch(/^overlays\/dev\.yaml:\d+:1: \(document\): duplicate key; fix: keep only one of the two keys$/);
  });

  test('fails on malformed YAML with its position', () => {
    const errors = configErrors(parse('environment: dev\ncomponents: [backend\n'));
    expect(errors[0]).toMatch(/^overlays\/dev\.yaml:\d+:\d+: \(document\): invalid YAML: /);
  });

  test('fails on an empty overlay', () => {
    expect(configErrors(parse(''))).toEqual([expect.stringContaining('overlays/dev.yaml: (document): overlay is empty')]);
  });

  test('fails on an overlay that is a list', () => {
    expect(configErrors(parse('- environment: dev\n'))[0]).toContain('(document): wrong type; received a list of 1 item; allowed: a mapping with keys environment');
  });

  test('fails on a binary file', () => {
    expect(configErrors(parse(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]))))
      .toEqual(['overlays/dev.yaml: (document): not a text file; received binary content; allowed: UTF-8 YAML text; fix: check that the file is an overlay, not a build artifact']);
  });

  test('fails when environment does not match the file name', () => {
    expect(configErrors(parse(overlayText('dev'), 'overlays/qa.yaml'))[0])
      .toContain('environment: environment does not match the file name; received "dev"; allowed: "qa"');
  });

  test('reports every problem of a file, not only the first', () => {
    const text = devWith('namespace: bulwark-dev', 'namespace: 42\nextra: true');
    expect(configErrors(parse(text))).toHaveLength(2);
  });
});
