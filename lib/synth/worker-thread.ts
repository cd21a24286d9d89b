import { MessageChannel, MessagePort, Worker } from 'worker_threads';

/**
 * Starts `script` on a worker thread that the calling thread talks to over a port, waiting for it
 * synchronously (`Atomics.wait` on shared words in `data`). While it waits, the thread's 'error'
 * and 'exit' events cannot run, so the worker reports its own failures through the port and the
 * shared words; its 'error' event is only swallowed here. Neither the thread nor the port keeps
 * the process alive. `data` reaches the script as `workerData`, with the other end as `port`.
 */
export function startWorker(script: string, data: Record<string, unknown>): { readonly worker: Worker; readonly port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { ...data, port: port2 }, transferList: [port2], stdout: false, stderr: false });
  worker.on('error', () => undefined);
  worker.unref();
  port1.unref();
  return { worker, port: port1 };
}
