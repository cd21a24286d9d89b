/**
 * Entry point of a synthesis worker thread (see parallel.ts): receives its environments once,
 * synthesizes them in order, and posts each outcome, then flags it in the shared counter.
 */
import { MessagePort, workerData } from 'worker_threads';
import { runJob, WorkerRequest } from './parallel';

const port = (workerData as { port: MessagePort }).port;
port.once('message', (request: WorkerRequest) => {
  const flags = new Int32Array(request.done);
  for (const job of request.jobs) {
    port.postMessage(runJob(job));
    Atomics.store(flags, job.index, 1);
    Atomics.notify(flags, job.index);
  }
  port.close();
});
