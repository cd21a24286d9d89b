/**
 * The stand-ins scripts/build-snapshot.ts puts in the snapshot bundle for the built-in modules node
 * does not support while building a snapshot: nothing loads the real module until it is used, and
 * then it behaves as the real one.
 */
import * as childProcess from 'child_process';
import { createRequire } from 'module';
import { promisify } from 'util';
import * as workerThreads from 'worker_threads';
import { LAZY_BUILTINS, lazyBuiltinSource } from '../../scripts/build-snapshot';

/** The real require: the built-ins are named by a variable, which an import statement cannot take. */
const requireBuiltin = createRequire(__filename);

/** Evaluates the stand-in of `name` as the bundle does; `loads` lists the real modules required. */
function standIn(name: string): { exports: Record<string, unknown>; loads: string[] } {
  const loads: string[] = [];
  const exports: Record<string, unknown> = {};
  const load = (id: string): unknown => {
    loads.push(id);
    return requireBuiltin(id) as unknown;
  };
  new Function('exports', 'require', lazyBuiltinSource(name))(exports, load);
  return { exports, loads };
}

test('every lazy built-in keeps the export names of the real module', () => {
  expect(LAZY_BUILTINS).toEqual(['child_process', 'worker_threads']);
  for (const name of LAZY_BUILTINS) {
    const { exports, loads } = standIn(name);
    expect(Object.keys(exports).sort()).toEqual(Object.keys(requireBuiltin(name) as object).sort());
    expect(loads).toEqual([]);
  }
});

test('child_process: a function kept as the module loads (cdk8s keeps spawnSync) loads the real one on its first call', async () => {
  const { exports, loads } = standIn('child_process');
  const spawnSync = exports.spawnSync as typeof childProcess.spawnSync;
  const exec = exports.exec as typeof childProcess.exec;
  expect(loads).toEqual([]);
  expect(spawnSync(process.execPath, ['-e', 'process.stdout.write("hi")'], { encoding: 'utf8' }).stdout).toBe('hi');
  expect(loads).toEqual(['child_process']);
  // util.promisify keeps exec's own promise form ({ stdout, stderr }).
  await expect(promisify(exec)(`"${process.execPath}" -e "process.stdout.write('ok')"`)).resolves.toEqual({ stdout: 'ok', stderr: '' });
  expect(loads).toEqual(['child_process']);
});

test('worker_threads: classes and values are read where they are used', () => {
  const { exports, loads } = standIn('worker_threads');
  expect(loads).toEqual([]);
  expect(exports.Worker).toBe(workerThreads.Worker);
  expect(exports.isMainThread).toBe(true);
  const { port1, port2 } = new (exports.MessageChannel as typeof workerThreads.MessageChannel)();
  port1.postMessage('x');
  expect((exports.receiveMessageOnPort as typeof workerThreads.receiveMessageOnPort)(port2)).toEqual({ message: 'x' });
  port1.close();
  expect(loads).toEqual(['worker_threads']);
});
