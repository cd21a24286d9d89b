/**
 * Entry point of the writer thread of TreeWriter (atomic-writer.ts): writes each part it receives
 * into the staging directory; on 'done', flags success (1) or failure (2, with the first error
 * posted back) in state[1]. state[0] is set first thing: the waiting thread cannot see this
 * thread's 'error' or 'exit' events, so it treats a writer that never started as failed.
 */
import { MessagePort, workerData } from 'worker_threads';

const { dir, port, state } = workerData as { dir: string; port: MessagePort; state: Int32Array };
Atomics.store(state, 0, 1);
const made = new Set<string>();
let failure: string | undefined;
let writeFiles: typeof import('./atomic-writer').writeFiles | undefined;

function finish(): void {
  if (failure !== undefined) port.postMessage(failure);
  Atomics.store(state, 1, failure === undefined ? 1 : 2);
  Atomics.notify(state, 1);
  port.close();
}

port.on('message', (message: readonly (readonly [string, string])[] | 'done') => {
  if (message === 'done') return finish();
  if (failure !== undefined) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    writeFiles ??= (require('./atomic-writer') as typeof import('./atomic-writer')).writeFiles;
    writeFiles(dir, message, undefined, made);
  } catch (e) {
    failure = (e as Error).message;
  }
});
