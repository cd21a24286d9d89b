import { renderMarkdown, renderText } from '../../lib/diff/render';
import { diffEnvironment, EnvironmentSide, hasDifferences } from '../../lib/diff/tree-diff';
import { OutputKind } from '../../lib/manifest/output-kind';

const ALL: readonly OutputKind[] = ['object', 'gitops', 'kustomization', 'api-server', 'report'];

/** A side of a diff from file texts, each shown as `<label>/<rel>`. */
function side(label: string, files: Record<string, string>, kinds: readonly OutputKind[] = ALL): EnvironmentSide {
  return { files: new Map(Object.entries(files)), kinds, where: (rel) => `${label}/${rel}` };
}

const configMap = (name: string, data: Record<string, string>, apiVersion = 'v1'): string => [
  `apiVersion: ${apiVersion}`,
  'kind: ConfigMap',
  'metadata:',
  `  name: ${name}`,
  '  namespace: shop',
  'data:',
  ...Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
  '',
].join('\n');

describe('diffEnvironment', () => {
  test('GIVEN objects added, removed and changed THEN each is named Kind/namespace/name, sorted, with the YAML diff of the change', () => {
    const before = side('old', { 'a/configmap-a.yaml': configMap('a', { x: '1' }), 'b/configmap-b.yaml': configMap('b', { x: '1' }) });
    const after = side('new', { 'a/configmap-a.yaml': configMap('a', { x: '2' }), 'c/configmap-c.yaml': configMap('c', { x: '1' }) });
    const d = diffEnvironment('dev', before, after);
    expect(d.added).toEqual([{ ref: 'ConfigMap/shop/c', where: 'new/c/configmap-c.yaml' }]);
    expect(d.removed).toEqual([{ ref: 'ConfigMap/shop/b', where: 'old/b/configmap-b.yaml' }]);
    expect(d.changed).toEqual([{
      ref: 'ConfigMap/shop/a',
      before: 'old/a/configmap-a.yaml',
      after: 'new/a/configmap-a.yaml',
      hunks: ['@@ -4,4 +4,4 @@', '   name: a', '   namespace: shop', ' data:', '-  x: "1"', '+  x: "2"'],
    }]);
    expect(hasDifferences(d)).toBe(true);
  });

  test('objects are compared as data: another file, another key order or another spelling of the same value is no change', () => {
    const before = side('old', { 'a/configmap-a.yaml': configMap('a', { x: '1', y: 'true' }) });
    const moved = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: shop, name: a}\ndata:\n  y: "true"\n  x: \'1\'\n';
    const d = diffEnvironment('dev', before, side('new', { 'other/configmap-a.yaml': moved }));
    expect(hasDifferences(d)).toBe(false);
  });

  test('an object is its API group, kind, namespace and name: a new version of the group is the same object, changed', () => {
    const before = side('old', { 'a/x.yaml': configMap('a', { x: '1' }, 'example.com/v1beta1') });
    const after = side('new', { 'a/x.yaml': configMap('a', { x: '1' }, 'example.com/v1') });
    const d = diffEnvironment('dev', before, after);
    expect([d.added, d.removed, d.changed.map((c) => c.ref)]).toEqual([[], [], ['ConfigMap/shop/a']]);
    const otherGroup = diffEnvironment('dev', before, side('new', { 'a/x.yaml': configMap('a', { x: '1' }, 'other.io/v1') }));
    expect([otherGroup.added.length, otherGroup.removed.length, otherGroup.changed.length]).toEqual([1, 1, 0]);
  });

  test('the Argo CD objects (argocd/) are objects; the kustomization and API-server files are compared as text where both sides hold them', () => {
    const appProject = 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: bulwark-dev\n  namespace: argocd\n';
    const branchKinds: OutputKind[] = ['object', 'gitops', 'kustomization'];
    const before = side('old', { 'kustomization.yaml': 'resources:\n- a.yaml\n', 'control-plane/audit-policy.yaml': 'a: 1\n' }, branchKinds);
    const after = side('new', {
      'argocd/appproject-bulwark-dev.yaml': appProject,
      'kustomization.yaml': 'resources:\n- b.yaml\n',
      'control-plane/audit-policy.yaml': 'a: 2\n',
      'report/compliance.md': '# report\n',
      'platform-0.1.0.tgz': 'binary',
      'notes.txt': 'put there by hand',
    });
    const d = diffEnvironment('dev', before, after);
    expect(d.added.map((o) => o.ref)).toEqual(['AppProject/argocd/bulwark-dev']);
    expect(d.files).toEqual([{
      status: 'changed',
      rel: 'kustomization.yaml',
      before: 'old/kustomization.yaml',
      after: 'new/kustomization.yaml',
      hunks: ['@@ -1,2 +1,2 @@', ' resources:', '-- a.yaml', '+- b.yaml'],
    }]);
    const both = diffEnvironment('dev', side('old', { 'control-plane/audit-policy.yaml': 'a: 1\n' }), side('new', {}));
    expect(both.files).toEqual([{
      status: 'removed',
      rel: 'control-plane/audit-policy.yaml',
      before: 'old/control-plane/audit-policy.yaml',
      hunks: [],
    }]);
  });

  test('fails on a file that is not YAML of objects, or on one object in two files, naming where', () => {
    expect(() => diffEnvironment('dev', side('old', { 'a/x.yaml': 'a: [' }), side('new', {}))).toThrow(/^old\/a\/x\.yaml: not YAML: /);
    expect(() => diffEnvironment('dev', side('old', { 'a/x.yaml': 'a: 1\n' }), side('new', {})))
      .toThrow('old/a/x.yaml: document 0 is not a Kubernetes object (apiVersion, kind, metadata.name)');
    const twice = side('new', { 'a/x.yaml': configMap('a', {}), 'b/x.yaml': configMap('a', {}) });
    expect(() => diffEnvironment('dev', side('old', {}), twice)).toThrow('new/b/x.yaml: ConfigMap/shop/a is also in new/a/x.yaml');
  });
});

describe('rendering', () => {
  const before = side('HEAD:dist/dev', {
    'a/configmap-a.yaml': configMap('a', { x: '1' }),
    'b/configmap-b.yaml': configMap('b', { x: '1' }),
    'kustomization.yaml': 'resources:\n- a/configmap-a.yaml\n- b/configmap-b.yaml\n',
  });
  const after = side('dist/dev', {
    'a/configmap-a.yaml': configMap('a', { x: '2', note: '```' }),
    'c/configmap-c.yaml': configMap('c', { x: '1' }),
    'kustomization.yaml': 'resources:\n- a/configmap-a.yaml\n- c/configmap-c.yaml\n',
  });
  const reports = [
    { diff: diffEnvironment('dev', before, after), ref: 'HEAD', against: 'HEAD:dist/dev/' },
    { diff: diffEnvironment('prod', side('x', {}), side('y', {})), ref: 'HEAD', against: 'HEAD:dist/prod/' },
  ];

  test('text: each environment\'s summary, then each diff, with the places of both sides', () => {
    expect(renderText(reports)).toMatchSnapshot();
  });

  test('text on a terminal: added lines green, removed red, headers bold', () => {
    const text = renderText(reports, { added: (t) => `<g>${t}</g>`, removed: (t) => `<r>${t}</r>`, header: (t) => `<b>${t}</b>` });
    expect(text).toContain('<r>-  x: "1"</r>\n<g>+  x: "2"</g>');
    expect(text).toContain('<b>--- HEAD:dist/dev/a/configmap-a.yaml</b>');
  });

  test('markdown: a table per environment, diffs in fences longer than any backtick run inside', () => {
    const markdown = renderMarkdown(reports);
    expect(markdown).toMatchSnapshot();
    expect(markdown).toContain('````diff\n');
  });

  test('markdown: a diff longer than collapseAbove lines is collapsed in <details>', () => {
    expect(renderMarkdown(reports, { collapseAbove: 100 })).not.toContain('<details>');
    expect(renderMarkdown(reports, { collapseAbove: 5 }))
      .toContain('<details><summary><code>ConfigMap/shop/a</code> (+2 -1)</summary>\n\n````diff\n');
  });

  test('markdown: diffs that would pass maxLength are left out and named, the tables stay', () => {
    const short = renderMarkdown(reports, { maxLength: 900 });
    expect(short.length).toBeLessThanOrEqual(1100);
    expect(short).toContain('| changed | `ConfigMap/shop/a` | +2 -1 |');
    expect(short).toMatch(/1 diff left out, or the comment would pass GitHub's limit: `dev file kustomization.yaml`/);
  });
});
