import { Options } from './args';
import { CliContext } from './context';
import { ProgressLine, Style } from './terminal';

/** What a command's handler gets besides its options. */
export interface CommandIo {
  readonly ctx: CliContext;
  /** A summary line (stdout, or stderr under cdk8s; nothing with --quiet). */
  readonly log: (line: string) => void;
  /** Colors of the stream `log` writes to. */
  readonly style: Style;
  /** The progress line on stderr (a terminal only). */
  readonly progress: ProgressLine;
}

/**
 * Runs one command; throws ConfigError, CheckError or UsageError on bad input. Returns its exit
 * code when success is not always 0 (diff: 1 when there are differences).
 */
export type CommandHandler = (options: Options, io: CommandIo) => number | void;
