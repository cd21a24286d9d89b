import { MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { CheckError, Finding } from '../checks';
import { LoadedOverlay } from '../config/load-overlay';
import { buildModels, EnvironmentSummary, summaryOf, synthesizeModel } from './pipeline';
import { errorOf, failureOf, WorkerFailure } from './worker-failure';
import { startWorker } from './worker-thread';

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
  | WorkerFailure;

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
    return { kind: 'ok', summary: summaryOf(result), files: [...files] };
  } catch (e) {
    if (e instanceof CheckError) return { kind: 'check', environment: e.environment, findings: e.findings };
    return failureOf(e);
  }
}

export interface ParallelOptions {
  /** Compiled environment-worker.js. */
  readonly workerScript: string;
  /** Threads in all, this one included. */
  readonly threads: number;
  /** How long a worker may take to start running its script. @default 60000 */
  readonly startTimeoutMs?: number;
}

/** Started workers, waiting for their environments. */
export class EnvironmentWorkers {
  private readonly workers: { readonly worker: Worker; readonly port: MessagePort; readonly control: Int32Array }[] = [];
  private readonly startDeadline: number;
  private readonly startTimeoutMs: number;
  private readonly script: string;

  /** Starts `threads - 1` workers (they load the code while the caller reads the overlays). */
  constructor(options: ParallelOptions) {
    this.script = options.workerScript;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.startDeadline = Date.now() + this.startTimeoutMs;
    for (let i = 1; i < options.threads; i++) {
      // [0]: the worker runs its script; [1]: it failed (its outcome is on the port).
      const control = new Int32Array(new SharedArrayBuffer(8));
      this.workers.push({ ...startWorker(options.workerScript, { control }), control });
    }
  }

  /**
   * Synthesizes every environment (environment i on thread i mod threads, this thread being 0),
   * hands each one's files to `sink` and returns the summaries, in environment order, as
   * `synthesizeInto` would; throws the ConfigError or the CheckError of the first failing
   * environment, as a serial run would.
   */
  synthesize(
    overlays: readonly LoadedOverlay[],
    platformVersion: string,
    sink: (files: Map<string, string>) => void,
    onProgress?: (environment: string, index: number, count: number) => void,
  ): EnvironmentSummary[] {
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
      for (const job of jobs) {
        onProgress?.(job.overlay.environment, job.index, jobs.length);
        const outcome = outcomes.get(job.index) ?? this.await(job.index % threads - 1, flags, job.index);
        if (outcome.kind === 'check') throw new CheckError(outcome.environment, outcome.findings);
        if (outcome.kind === 'failure') throw errorOf(outcome);
        environments.push(outcome.summary);
        sink(new Map(outcome.files));
      }
      return environments;
    } finally {
      this.close();
    }
  }

  /**
   * Blocks until worker `w` has posted the outcome of environment `index`, or a failure of its
   * own. Its 'error' and 'exit' events cannot run while this thread waits, so a worker that never
   * started running its script (not even our first line) counts as failed after the start timeout.
   */
  private await(w: number, flags: Int32Array, index: number): Outcome {
    const { port, control } = this.workers[w];
    for (;;) {
      if (Atomics.load(flags, index) === 1 || Atomics.load(control, 1) === 1) {
        const received = receiveMessageOnPort(port);
        if (received) return received.message as Outcome;
      }
      if (Atomics.load(control, 0) === 0 && Date.now() > this.startDeadline) {
        const seconds = Math.round(this.startTimeoutMs / 1000);
        throw new Error(`the synthesis worker for environment ${index} did not start within ${seconds} s (${this.script})`);
      }
      Atomics.wait(flags, index, 0, 100);
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
