import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { CheckError, Finding } from '../checks';
import { LoadedOverlay } from '../config/load-overlay';
import { buildModels, EnvironmentSummary, synthesizeModel } from './pipeline';

/**
 * Synthesis of several environments at once, on worker threads: environments are independent
 * after their models are built, and at a thousand services each takes over a second of CPU.
 *
 * The calling thread stays synchronous (the CLI is): workers start first, so that they load the
 * code while the overlays are read; the caller then builds every model itself (so that input
 * errors are exactly those of a serial run), hands the environments out round robin (environment
 * 0 to itself), and blocks on a shared counter per environment (`Atomics.wait`) to collect the
 * results in environment order: the output, the messages and the first failing environment are
 * those of a serial run, byte for byte.
 */

/** One environment for a worker: the validated overlay (plain data) and what buildModel needs. */
interface Job {
  readonly index: number;
  readonly file: string;
  readonly overlay: LoadedOverlay['overlay'];
  readonly platformVersion: string;
}

export type Outcome =
  | { readonly kind: 'ok'; readonly summary: EnvironmentSummary; readonly files: readonly (readonly [string, string])[] }
  | { readonly kind: 'check'; readonly environment: string; readonly findings: readonly Finding[] }
  | { readonly kind: 'failure'; readonly message: string; readonly stack?: string };

/** What the main thread sends each worker once. */
export interface WorkerRequest {
  readonly jobs: readonly Job[];
  /** One Int32 per environment, set to 1 when its outcome has been posted. */
  readonly done: SharedArrayBuffer;
}

/** Runs one environment; never throws (failures are outcomes, so they cross threads intact). */
export function runJob(job: Job): Outcome {
  try {
    const [model] = buildModels([{ file: job.file, overlay: job.overlay, locate: () => undefined }], job.platformVersion);
    const { result, files } = synthesizeModel(model);
    const { objects: _objects, ...summary } = result;
    return { kind: 'ok', summary, files: [...files] };
  } catch (e) {
    if (e instanceof CheckError) return { kind: 'check', environment: e.environment, findings: e.findings };
    const error = e instanceof Error ? e : new Error(String(e));
    return { kind: 'failure', message: error.message, stack: error.stack };
  }
}

export interface ParallelOptions {
  /** Compiled environment-worker.js. */
  readonly workerScript: string;
  /** Threads in all, this one included. */
  readonly threads: number;
}

/** Started workers, waiting for their environments. */
export class EnvironmentWorkers {
  private readonly workers: { readonly worker: Worker; readonly port: MessagePort }[] = [];

  /** Starts `threads - 1` workers (they load the code while the caller reads the overlays). */
  constructor(options: ParallelOptions) {
    for (let i = 1; i < options.threads; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(options.workerScript, { workerData: { port: port2 }, transferList: [port2], stdout: false, stderr: false });
      worker.unref();
      port1.unref();
      this.workers.push({ worker, port: port1 });
    }
  }

  /**
   * Synthesizes every environment (environment i on thread i mod threads, this thread being 0) and
   * returns the summaries and files in environment order, as `synthesize` would; throws the
   * ConfigError or the CheckError of the first failing environment, as a serial run would.
   */
  synthesize(overlays: readonly LoadedOverlay[], platformVersion: string, onProgress?: (environment: string, index: number, count: number) => void): { environments: EnvironmentSummary[]; files: Map<string, string> } {
    try {
      buildModels(overlays, platformVersion);
      const threads = this.workers.length + 1;
      const done = new SharedArrayBuffer(4 * overlays.length);
      const flags = new Int32Array(done);
      const jobs: Job[] = overlays.map((o, index) => ({ index, file: o.file, overlay: o.overlay, platformVersion }));
      this.workers.forEach(({ port }, w) => {
        const request: WorkerRequest = { jobs: jobs.filter((j) => j.index % threads === w + 1), done };
        port.postMessage(request);
      });
      const outcomes = new Map<number, Outcome>();
      for (const job of jobs) if (job.index % threads === 0) outcomes.set(job.index, runJob(job));
      const environments: EnvironmentSummary[] = [];
      const files = new Map<string, string>();
      for (const job of jobs) {
        onProgress?.(job.overlay.environment, job.index, jobs.length);
        const outcome = outcomes.get(job.index) ?? this.await(job.index % threads - 1, flags, job.index);
        if (outcome.kind === 'check') throw new CheckError(outcome.environment, outcome.findings);
        if (outcome.kind === 'failure') {
          const error = new Error(outcome.message);
          if (outcome.stack) error.stack = outcome.stack;
          throw error;
        }
        environments.push(outcome.summary);
        for (const [rel, content] of outcome.files) files.set(rel, content);
      }
      return { environments, files };
    } finally {
      this.close();
    }
  }

  /** Blocks until worker `w` has posted the outcome of environment `index`. */
  private await(w: number, flags: Int32Array, index: number): Outcome {
    const { worker, port } = this.workers[w];
    for (;;) {
      if (Atomics.wait(flags, index, 0, 200) !== 'timed-out' || Atomics.load(flags, index) === 1) {
        const received = receiveMessageOnPort(port);
        if (received) return received.message as Outcome;
      }
      // threadId turns -1 as soon as the thread is gone, before any 'exit' event could run here.
      if (worker.threadId === -1) {
        const late = receiveMessageOnPort(port);
        if (late) return late.message as Outcome;
        throw new Error(`the synthesis worker for environment ${index} stopped without a result`);
      }
    }
  }

  /** Lets the workers go (idempotent); they exit once their port closes. */
  close(): void {
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
    this.workers.length = 0;
  }
}
