/**
 * Entry point of a synthesis worker thread (see parallel.ts): receives its environments once,
 * synthesizes them in order, and posts each outcome, then flags it in the shared counter.
 *
 * The calling thread waits synchronously, so it cannot see this thread's 'error' or 'exit' events:
 * the thread marks itself started before loading anything, and reports any failure of its own
 * (loading the code included) through the port and the control word.
 */
import { MessagePort, workerData } from 'worker_threads';
import type { WorkerRequest } from './parallel';
import { failureOf } from './worker-failure';

const { port, control } = workerData as { port: MessagePort; control: Int32Array };
Atomics.store(control, 0, 1);

function fail(e: unknown): void {
  port.postMessage(failureOf(e));
  Atomics.store(control, 1, 1);
  Atomics.notify(control, 1);
}

try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runJob } = require('./parallel') as typeof import('./parallel');
  port.once('message', (request: WorkerRequest) => {
    try {
      const flags = new Int32Array(request.done);
      for (const job of request.jobs) {
        port.postMessage(runJob(job));
        Atomics.store(flags, job.index, 1);
        Atomics.notify(flags, job.index);
      }
      port.close();
    } catch (e) {
      fail(e);
    }
  });
} catch (e) {
  fail(e);
}
