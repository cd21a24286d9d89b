/** What a command may touch: the process as data (tests build their own). */
export interface CliContext {
  /** Directory relative paths (--overlays, --out) are resolved against; messages keep them relative. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Width of the terminal behind stderr, for the progress line. */
  readonly stderrColumns?: number;
  /** NO_COLOR is set to a non-empty value (https://no-color.org). */
  readonly noColor: boolean;
  /** TERM=dumb: no cursor movement, so no progress line. */
  readonly dumbTerminal: boolean;
  /**
   * Set when `cdk8s synth` runs us (CDK8S_OUTDIR): it expects the manifests there, and it swallows
   * our stdout, so the summary goes to stderr.
   */
  readonly cdk8sOutdir?: string;
  /** Version of Bulwark (package.json). */
  readonly platformVersion: string;
  /** charts/ of the repository (umbrella chart parts). */
  readonly chartsDir: string;
  readonly helm: string;
  /** kubectl for verify. @default kubectl on PATH */
  readonly kubectl?: string;
  /** Test hooks, see WriteOptions.delayMs and swapDelayMs. */
  readonly testWriteDelayMs?: number;
  readonly testSwapDelayMs?: number;
  /** Print the stack of unexpected errors (BULWARK_DEBUG=1). */
  readonly debug: boolean;
  /**
   * The compiled synthesis worker (.build/lib/synth/environment-worker.js), for --jobs. Without it
   * (tsx, tests calling run()) synthesis stays on this thread.
   */
  readonly workerScript?: string;
  /** The compiled writer thread (.build/lib/synth/tree-writer-worker.js); see workerScript. */
  readonly writerScript?: string;
  readonly now: () => number;
  /** The whole of standard input (check -). @default none: reading it is a usage error */
  readonly readStdin?: () => string;
  /** Milliseconds since the epoch, the day waivers are judged on. @default Date.now */
  readonly epochMs?: () => number;
}
