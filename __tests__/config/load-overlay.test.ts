import { parseOverlay } from '../../lib/config/load-overlay';
import { configErrors, ENVIRONMENTS, overlayText } from '../helpers';

/** The dev overlay with one line replaced: the smallest realistic bad input. */
function devWith(search: string | RegExp, replacement: string): string {
  const text = overlayText('dev');
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return changed;
}

const parse = (text: string | Buffer, file = 'overlays/dev.yaml') => () => parseOverlay(file, text);

describe('parseOverlay', () => {
  test('loads every fixture overlay with defaults applied', () => {
    for (const env of ENVIRONMENTS) {
      const { overlay } = parseOverlay(`overlays/${env}.yaml`, overlayText(env));
      expect(overlay.environment).toBe(env);
      expect(overlay.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], service: 'kube-dns' });
      expect(Object.keys(overlay.components).sort()).toEqual(['agent', 'backend', 'frontend', 'mcp', 'podinfo']);
    }
  });

  test('applies defaults for keys an overlay leaves out', () => {
    const { overlay } = parseOverlay('overlays/dev.yaml', overlayText('dev'));
    expect(overlay.components.backend).toMatchObject({ priorityClass: 'platform-critical', permissions: [] });
    expect(overlay.components.frontend).toMatchObject({ priorityClass: 'workload', config: {} });
    expect(overlay.tenants).toEqual([]);
  });

  test('fails on a repository URL Argo CD cannot clone, a branch name git refuses and a cluster that is not a DNS label', () => {
    const errors = configErrors(parse(devWith('\ncomponents:\n', '\ngitops:\n  repoURL: github.com/org/repo\n  branch: "dist..old"\n'
      + 'clusters:\n  - { name: Prod_EU, server: http://eu.example.com }\n\ncomponents:\n')));
    expect(errors).toEqual([
      'overlays/dev.yaml:50:12: gitops.repoURL: invalid value; received "github.com/org/repo"; allowed: a Git repository URL: '
        + 'https://host/org/repo.git, ssh://git@host/org/repo.git, git@host:org/repo.git or file:///path/repo.git; '
        + 'fix: did you mean "https://github.com/org/repo"?',
      expect.stringMatching(/^overlays\/dev\.yaml:51:11: gitops\.branch: invalid value; received "dist\.\.old"; allowed: a Git branch name such as dist .*; fix: did you mean "dist\.old"\?$/),
      'overlays/dev.yaml:53:13: clusters[0].name: invalid value; received "Prod_EU"; allowed: a DNS-1123 label (lowercase letters, digits and "-", '
        + 'starting and ending alphanumeric) of at most 63 characters; fix: did you mean "prod-eu"?',
      'overlays/dev.yaml:53:30: clusters[0].server: invalid value; received "http://eu.example.com"; allowed: an https:// URL; fix: write an https:// URL',
    ]);
  });

  test('fails on an empty list of clusters', () => {
    const errors = configErrors(parse(devWith('\ncomponents:\n', '\nclusters: []\n\ncomponents:\n')));
    expect(errors).toEqual([
      'overlays/dev.yaml:49:11: clusters: too few items; received a list of 0 items; allowed: at least 1 item(s); fix: add an item',
    ]);
  });

  test('fails on an unknown key with file, line, column, path and a suggestion', () => {
    const errors = configErrors(parse(devWith(
      '    image: ghcr.io/bulwark-platform/backend:1.4.2',
      '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replcias: 2',
    )));
    expect(errors).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:5: components\.backend\.replcias: unknown key; received "replcias"; allowed: kind, image, replicas, .*; fix: did you mean "replicas"\?$/),
    ]);
  });

  test('fails on a wrong type, naming what was received and what is allowed', () => {
    const errors = configErrors(parse(devWith(
      '    image: ghcr.io/bulwark-platform/backend:1.4.2',
      '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replicas: three',
    )));
    expect(errors[0]).toMatch(/^overlays\/dev\.yaml:\d+:15: components\.backend\.replicas: wrong type; received "three"; allowed: an integer from 0 to 100; fix: write the number in digits, without quotes, e\.g\. 1$/);
  });

  test('fails on replicas below zero', () => {
    const errors = configErrors(parse(devWith(
      '    image: ghcr.io/bulwark-platform/backend:1.4.2',
      '    image: ghcr.io/bulwark-platform/backend:1.4.2\n    replicas: -1',
    )));
    expect(errors[0]).toContain('components.backend.replicas: out of range; received -1; allowed: an integer from 0 to 100');
  });

  test('fails on a missing required key, saying what to add', () => {
    const errors = configErrors(parse(devWith(/\nnamespace: bulwark-dev\n/, '\n')));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:3:1: namespace: missing required key; received nothing; allowed: a DNS-1123 label .*; fix: add namespace \(namespace the workloads run in\)$/)]);
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
    const { overlay } = parseOverlay('overlays/dev.yaml', devWith('ghcr.io/bulwark-platform/backend:1.4.2', digest));
    expect(overlay.components.backend?.image).toBe(digest);
  });

  test('fails on a setting that looks like a literal secret', () => {
    const errors = configErrors(parse(devWith(
      '      LOG_LEVEL: debug\n    dependsOn: [mcp, database]',
      '      LOG_LEVEL: debug\n      DB_PASSWORD: hunter2\n    dependsOn: [mcp, database]',
    )));
    expect(errors[0]).toMatch(/components\.backend\.config\.DB_PASSWORD: setting looks like a secret and would be stored in plain text; received "DB_PASSWORD"/);
  });

  test('fails on a literal secret value without echoing it', () => {
    const errors = configErrors(parse(devWith(
      '        remoteKey: bulwark/dev/backend/db\n',
      '        remoteKey: bulwark/dev/backend/db\n        value: hunter2\n',
    )));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: components\.backend\.secrets\.db-credentials\.value: a literal secret value in an overlay would be committed in plain text; received a literal value \(not shown\); allowed: a reference \(remoteKey \+ env\) only; fix: store the value in the secret store and reference it with remoteKey$/)]);
    expect(errors[0]).not.toContain('hunter2');
  });

  test('fails on an invalid DNS-1123 namespace', () => {
    const errors = configErrors(parse(devWith('namespace: bulwark-dev', 'namespace: Bulwark_Dev')));
    expect(errors[0]).toContain('namespace: invalid value; received "Bulwark_Dev"; allowed: a DNS-1123 label');
  });

  test('fails on a duplicate key at its position, with its key path and where it was first set', () => {
    const errors = configErrors(parse(devWith('namespace: bulwark-dev', 'namespace: bulwark-dev\nnamespace: other')));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:(\d+):1: namespace: duplicate key, first set on line \d+; received "namespace"; allowed: each key once per mapping; fix: keep only one of the two$/)]);
  });

  test('reports every duplicate key, one line each', () => {
    const errors = configErrors(parse('environment: dev\nenvironment: dev\nnamespace: a\nquota:\n  pods: 1\n  pods: 2\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:2:1: environment: duplicate key, first set on line 1; received "environment"; '
        + 'allowed: each key once per mapping; fix: keep only one of the two',
      'overlays/dev.yaml:6:3: quota.pods: duplicate key, first set on line 5; received "pods"; '
        + 'allowed: each key once per mapping; fix: keep only one of the two',
    ]);
  });

  test('fails on malformed YAML with one line at the opening bracket, not at the line where the parser noticed', () => {
    expect(configErrors(parse('environment: dev\ncomponents: [backend\nnamespace: x\n'))).toEqual([
      'overlays/dev.yaml:2:13: components: invalid YAML: "[" is not closed; received "[backend"; '
        + 'allowed: [a, b] on one line, or continuation lines indented under their key; fix: add the missing "]"',
    ]);
  });

  test('keeps only the first of cascading syntax errors', () => {
    const text = 'environment: dev\nimage: ghcr.io/x/y: 1\n  tag: 2\n';
    expect(configErrors(parse(text))).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:2:8: image: invalid YAML: a nested mapping cannot start on the line of its key; /)]);
  });

  test('never prints warnings of the YAML library (collection keys, unknown tags)', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(configErrors(parse('? [a]\n: 1\nx: !custom 2\n')).length).toBeGreaterThan(0);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test('a misspelled required key is one problem, not an unknown key plus a missing one', () => {
    expect(configErrors(parse(devWith('namespace: bulwark-dev', 'namspace: bulwark-dev')))).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:1: namspace: unknown key; received "namspace"; allowed: .*; fix: did you mean "namespace"\?$/),
    ]);
    // An unrelated unknown key does not hide a missing one.
    expect(configErrors(parse(devWith('namespace: bulwark-dev', 'colour: blue')))).toHaveLength(2);
  });

  test('fails on an alias without anchor and on an alias bomb, at the alias', () => {
    expect(configErrors(parse('environment: dev\nnamespace: *ns\n'))).toEqual([
      'overlays/dev.yaml:2:12: namespace: alias refers to an anchor that is not defined above it; received *ns; '
        + 'allowed: an alias *name after its anchor &name; fix: define &ns before using it, or write the value out',
    ]);
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n'
      + 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n'
      + 'c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
    expect(configErrors(parse(bomb))).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:2:8: b\[0\]: aliases expand to more than 100 copies; /)]);
  });

  test('fails on text that is not UTF-8 at the first bad byte, and on UTF-16', () => {
    expect(configErrors(parse(Buffer.from('environment: dev\nnamespace: b\xe9\n', 'latin1')))).toEqual([
      'overlays/dev.yaml:2:13: (document): not UTF-8 text; received byte 0xe9; allowed: UTF-8 YAML text; fix: save the file as UTF-8',
    ]);
    expect(configErrors(parse(Buffer.from('\ufeffenvironment: dev\n', 'utf16le')))[0])
      .toContain('(document): not a text file; received UTF-16 text;');
    // U+FFFD written in the file is valid UTF-8, not a decoding error.
    expect(configErrors(parse(Buffer.from('environment: dev\nnamespace: \ufffd\n', 'utf8')))[0])
      .toContain('namespace: invalid value; received "\ufffd"');
  });

  test('shows the start, the end and the length of a long value', () => {
    const long = `bulwark-${'x'.repeat(60)}-dev`;
    expect(configErrors(parse(devWith('namespace: bulwark-dev', `namespace: ${long}`)))[0])
      .toContain(`received "${long.slice(0, 40)}…${long.slice(-12)}" (${long.length} characters); allowed: a DNS-1123 label`);
  });

  test('fails on an empty overlay', () => {
    expect(configErrors(parse(''))).toEqual([
      expect.stringContaining('overlays/dev.yaml:1:1: (document): overlay is empty; received no keys; '
        + 'allowed: a mapping with at least environment, namespace'),
    ]);
  });

  test('fails on an overlay that is a list', () => {
    expect(configErrors(parse('- environment: dev\n'))[0])
      .toContain('(document): wrong type; received a list of 1 item; allowed: a mapping with at least environment, namespace');
  });

  test('fails on a binary file', () => {
    expect(configErrors(parse(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]))))
      .toEqual([
        'overlays/dev.yaml:1:1: (document): not a text file; received binary content; allowed: UTF-8 YAML text; '
          + 'fix: check that the file is an overlay, not a build artifact',
      ]);
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
