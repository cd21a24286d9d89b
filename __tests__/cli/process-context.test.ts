/**
 * processContext reads the process when called (a startup snapshot freezes whatever is read when
 * modules load) and takes every repository path from the root it is given.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { processContext, processExitCode } from '../../lib/cli/process-context';

describe('processContext', () => {
  const saved = { ...process.env };
  /** Cleared before each test, so that the environment of the jest run does not leak in. */
  const cleared = [
    'NO_COLOR',
    'HELM',
    'TERM',
    'CDK8S_OUTDIR',
    'BULWARK_DEBUG',
    'BULWARK_TEST_WRITE_DELAY_MS',
    'BULWARK_TEST_SWAP_DELAY_MS',
    'CDK8S_RECORD_CONSTRUCT_METADATA',
  ];
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-root-'));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ version: '9.8.7' }));
    for (const k of cleared) delete process.env[k];
  });
  afterEach(() => {
    process.env = { ...saved };
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('paths and the version come from the root given', () => {
    const ctx = processContext(root);
    expect([ctx.platformVersion, ctx.chartsDir, ctx.helm, ctx.cwd])
      .toEqual(['9.8.7', path.join(root, 'charts'), path.join(root, '.tools', 'bin', 'helm'), process.cwd()]);
    expect([ctx.noColor, ctx.dumbTerminal, ctx.debug, ctx.cdk8sOutdir, ctx.testWriteDelayMs]).toEqual([false, false, false, undefined, undefined]);
  });

  test('the environment is read on each call', () => {
    Object.assign(process.env, {
      NO_COLOR: '1',
      HELM: '/opt/helm',
      TERM: 'dumb',
      CDK8S_OUTDIR: 'out',
      BULWARK_DEBUG: '1',
      BULWARK_TEST_WRITE_DELAY_MS: '25',
      BULWARK_TEST_SWAP_DELAY_MS: 'x',
    });
    const ctx = processContext(root);
    expect([ctx.noColor, ctx.helm, ctx.dumbTerminal, ctx.cdk8sOutdir, ctx.debug, ctx.testWriteDelayMs, ctx.testSwapDelayMs])
      .toEqual([true, '/opt/helm', true, 'out', true, 25, undefined]);
    Object.assign(process.env, { NO_COLOR: '', BULWARK_DEBUG: '0', CDK8S_OUTDIR: '' });
    expect([processContext(root).noColor, processContext(root).debug, processContext(root).cdk8sOutdir]).toEqual([false, false, undefined]);
  });

  test('exit code: a failure under cdk8s exits 0 when its output directory is absent, so that cdk8s prints no trace', () => {
    const cwd = root;
    expect(processExitCode(1, { cwd })).toBe(1);
    expect(processExitCode(1, { cwd, cdk8sOutdir: 'absent' })).toBe(1);
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'false';
    expect(processExitCode(1, { cwd, cdk8sOutdir: 'absent' })).toBe(0);
    expect(processExitCode(0, { cwd, cdk8sOutdir: 'absent' })).toBe(0);
    fs.mkdirSync(path.join(root, 'present'));
    expect(processExitCode(1, { cwd, cdk8sOutdir: 'present' })).toBe(1);
  });
});
