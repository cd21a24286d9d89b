import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { firstDifference } from '../../scripts/same-documents';

const CONFIG_MAP = 'kind: ConfigMap\nmetadata: {name: a}\ndata: {x: "1"}\n';
const SECRET = 'kind: Secret\nmetadata: {name: b}\n';

describe('scripts/same-documents.ts (helm 3 and helm 4 template output)', () => {
  let work: string;
  let helm3: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-same-'));
    helm3 = file('h3.yaml', `---\n# Source: a\n${CONFIG_MAP}---\n# Source: b\n${SECRET}`);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(work, name), text);
    return path.join(work, name);
  };

  test('comments, blank lines between documents, quoting and key order do not count', () => {
    const helm4 = file('h4.yaml', `---\n# Source: a\nmetadata:\n  name: a\nkind: ConfigMap\ndata: {x: '1'}\n\n\n---\n\n${SECRET}`);
    expect(firstDifference(helm3, helm4)).toBeUndefined();
  });

  test('fails on a changed value, another order or a missing document, naming the first difference', () => {
    const changed = file('changed.yaml', `${CONFIG_MAP.replace('"1"', '1')}---\n${SECRET}`);
    expect(firstDifference(helm3, changed)).toBe(`document 0 differs: ConfigMap a in ${helm3}, ConfigMap a in ${changed}`);
    const swapped = file('swapped.yaml', `${SECRET}---\n${CONFIG_MAP}`);
    expect(firstDifference(helm3, swapped)).toBe(`document 0 differs: ConfigMap a in ${helm3}, Secret b in ${swapped}`);
    const shorter = file('shorter.yaml', CONFIG_MAP);
    expect(firstDifference(helm3, shorter)).toBe(`${helm3} has 1 more documents, from document 1 (Secret b)`);
  });
});
