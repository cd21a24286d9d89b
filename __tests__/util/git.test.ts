import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Git, GitError, listTree, readBlobs, resolveCommit, workTreeOf, writeBlobs } from '../../lib/util/git';

const ENV = {
  GIT_AUTHOR_NAME: 'Jane Doe',
  GIT_AUTHOR_EMAIL: 'jane@example.com',
  GIT_COMMITTER_NAME: 'Jane Doe',
  GIT_COMMITTER_EMAIL: 'jane@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

describe('lib/util/git.ts', () => {
  let dir: string;
  let git: Git;
  let commit: string;

  beforeAll(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-util-git-')));
    git = new Git(dir);
    git.run(['init', '-q', '-b', 'main']);
    const files: Record<string, string> = {
      'dist/dev/a.yaml': 'a: 1\n',
      'dist/dev/sub/b.yaml': 'b: ü\n',
      'dist/dev-2/c.yaml': 'c: 3\n',
      'dist/d*v/d.yaml': 'd: 4\n',
      'top.txt': '',
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    git.run(['add', '-A']);
    git.run(['commit', '-q', '-m', 'files'], { env: ENV });
    commit = resolveCommit(git, 'HEAD')!;
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lists a folder recursively, paths from the top in tree order, only what is inside it (a `*` in a name matches nothing else)', () => {
    expect(listTree(git, commit, { folder: 'dist/dev' }).map((e) => [e.type, e.path])).toEqual([
      ['blob', 'dist/dev/a.yaml'],
      ['blob', 'dist/dev/sub/b.yaml'],
    ]);
    expect(listTree(git, commit, { folder: 'dist/d*v' }).map((e) => e.path)).toEqual(['dist/d*v/d.yaml']);
    expect(listTree(git, commit, { folder: 'dist', recursive: false }).map((e) => [e.type, e.path])).toEqual([
      ['tree', 'dist/d*v'],
      ['tree', 'dist/dev-2'],
      ['tree', 'dist/dev'],
    ]);
    expect(listTree(git, commit, { folder: 'nowhere' })).toEqual([]);
    expect(listTree(git, commit)).toHaveLength(5);
  });

  test('reads blobs in the order asked, empty ones and UTF-8 included, and writes them back to the same ids', () => {
    const entries = listTree(git, commit);
    const texts = readBlobs(git, entries);
    expect(Object.fromEntries(entries.map((e, i) => [e.path, texts[i]]))).toMatchObject({ 'dist/dev/sub/b.yaml': 'b: ü\n', 'top.txt': '' });
    expect(writeBlobs(git, texts)).toEqual(entries.map((e) => e.sha));
    expect(readBlobs(git, [])).toEqual([]);
  });

  test('fails on a blob the repository does not have, naming its path', () => {
    expect(() => readBlobs(git, [{ sha: '0'.repeat(40), path: 'dist/dev/gone.yaml' }]))
      .toThrow(new GitError('git cat-file: unexpected answer for dist/dev/gone.yaml'));
  });

  test('resolves commits, never reading a ref as an option', () => {
    expect(resolveCommit(git, 'main')).toBe(commit);
    expect(resolveCommit(git, 'no-such-branch')).toBeUndefined();
    expect(resolveCommit(git, '--all')).toBeUndefined();
    expect(resolveCommit(git, '')).toBeUndefined();
  });

  test('finds the work tree of a folder inside it, and none outside any', () => {
    expect(workTreeOf(path.join(dir, 'dist', 'dev'))).toEqual({ git: new Git(dir), prefix: 'dist/dev/' });
    expect(workTreeOf(dir)).toEqual({ git: new Git(dir), prefix: '' });
    expect(workTreeOf(path.join(dir, '.git'))).toBeUndefined();
  });

  test('fails with git\'s own error line and the command asked, keeping its exit code and stderr', () => {
    let error: unknown;
    try {
      git.run(['cat-file', '-p', 'no-such-object']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toBe('git cat-file: Not a valid object name no-such-object');
    expect((error as GitError).status).toBe(128);
    expect((error as GitError).stderr).toContain('fatal: Not a valid object name no-such-object');
  });
});
