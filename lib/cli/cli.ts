/**
 * The `bulwark` command line, as a function: `run(argv, context)` returns the exit code and
 * writes only through `context`. main.ts builds the context from the real process (argv, the
 * environment, package.json, TTYs); tests call `run` directly with their own. The commands are a
 * table (commands.ts); the options and the parser are args.ts.
 *
 * Exit codes: 0 success, 1 invalid input or failed synthesis (dist/ untouched), 2 usage error.
 */
import { CheckError } from '../checks';
import { ConfigError } from '../config/errors';
import { commandUsage, ParsedCommandLine, parseCommandLine, UsageError, usageText } from './args';
import { CommandAction, COMMANDS, DEFAULT_COMMAND } from './commands';
import { CliContext } from './context';
import { ProgressLine, style } from './terminal';

export { CliContext } from './context';
export { summaryLine } from './synth-command';

const PROGRAM = 'bulwark';

export const USAGE = `${usageText(PROGRAM, COMMANDS, `environment:
  NO_COLOR=1         no colors (colors are used only on a terminal anyway)
  BULWARK_DEBUG=1    print the stack trace of unexpected errors

exit codes: 0 success, 1 invalid input or failed synthesis (<out> is left as it was), 2 usage error;
  diff: 0 no differences, 1 differences, 2 usage error, invalid input or an unknown ref
`)}`;

/** Runs one command; returns the exit code. Never throws. */
export function run(args: readonly string[], ctx: CliContext): number {
  // `--version` (`-V`) is the version command, as in most CLIs.
  const argv = args[0] === '--version' || args[0] === '-V' ? ['version', ...args.slice(1)] : args;
  const errStyle = style(ctx.stderrIsTTY && !ctx.noColor);
  const usageError = (message: string, usage: string): number => {
    ctx.stderr(`${errStyle.red('error:')} ${message}\n\n${usage}`);
    return 2;
  };
  if (argv[0] === 'help' && argv.length > 1) {
    const command = COMMANDS.find((c) => c.name === argv[1]);
    if (command === undefined || argv.length > 2) {
      return usageError(`help takes one command name (${COMMANDS.map((c) => c.name).join(', ')}), got ${argv.slice(1).join(' ')}`, USAGE);
    }
    ctx.stdout(commandUsage(PROGRAM, command));
    return 0;
  }
  let parsed: ParsedCommandLine<CommandAction>;
  try {
    parsed = parseCommandLine(argv, COMMANDS, DEFAULT_COMMAND);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return usageError(e.message, USAGE);
  }
  const { command, options, help } = parsed;
  if (help || command.handler === 'help') {
    ctx.stdout(command.handler === 'help' || argv.length === 1 ? USAGE : commandUsage(PROGRAM, command));
    return 0;
  }
  if (command.handler === 'version') {
    ctx.stdout(`${PROGRAM} ${ctx.platformVersion}\n`);
    return 0;
  }
  // Under cdk8s, stdout is captured and discarded: the summary goes where the user can see it.
  const summaryToStderr = ctx.cdk8sOutdir !== undefined;
  const outStyle = summaryToStderr ? errStyle : style(ctx.stdoutIsTTY && !ctx.noColor);
  const log = (line: string): void => {
    if (options.quiet) return;
    if (summaryToStderr) ctx.stderr(`${line}\n`);
    else ctx.stdout(`${line}\n`);
  };
  const progress = new ProgressLine(ctx.stderr, {
    enabled: ctx.stderrIsTTY && !options.quiet && !ctx.dumbTerminal,
    now: ctx.now,
    columns: ctx.stderrColumns,
  });
  try {
    return command.handler(options, { ctx, log, style: outStyle, progress }) ?? 0;
  } catch (e) {
    progress.clear();
    if (e instanceof UsageError) return usageError(e.message, commandUsage(PROGRAM, command));
    const known = e instanceof ConfigError || e instanceof CheckError;
    const message = (e as Error)?.message ?? String(e);
    const lines = message.split('\n').filter((l) => l.trim() !== '');
    ctx.stderr(lines.map((l) => `${errStyle.red('error:')} ${l}\n`).join(''));
    if (!known && ctx.debug && e instanceof Error && e.stack) ctx.stderr(`${e.stack}\n`);
    return command.failureCode ?? 1;
  }
}
