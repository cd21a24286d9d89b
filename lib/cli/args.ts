/**
 * The command line as data: every option once (`OPTIONS`), each command naming the ones it takes,
 * one parser for all, and the usage text generated from the same tables.
 */
import { didYouMean } from '../config/errors';

/** Every option of every command, parsed. */
export interface Options {
  /** Overlay directory. */
  readonly overlays: string;
  /** Output directory. */
  readonly out: string;
  /** One environment. */
  readonly env?: string;
  /** Errors only. */
  readonly quiet: boolean;
  /** Threads for synthesis; undefined means one. */
  readonly jobs?: number;
  /** publish: the git remote to push the dist branch to; undefined means the local branch only. */
  readonly remote?: string;
  /** publish: the staging branch to write instead of the synced one (Argo CD's hydrateTo). */
  readonly to?: string;
  /** The commit to compare with; undefined means the dist branch, else HEAD. */
  readonly ref?: string;
  /** How the result is written: one of the command's `formats`. */
  readonly format: Format;
  /** connectivity: also write the matrix as JSON to this file. */
  readonly report?: string;
  /** check: which checks run. */
  readonly profile: 'generic' | 'bulwark';
  /** check: a YAML file of waivers (`waivers: [...]`, as in an overlay). */
  readonly waivers?: string;
  /** verify: the kubeconfig of the cluster; undefined means kubectl's own default. */
  readonly kubeconfig?: string;
  /** The command's arguments (check: files, directories, `-`). */
  readonly args: readonly string[];
}

/** diff: `text` for a terminal, `markdown` for a pull-request comment; check: `text`, `json`, `sarif`, `junit`. */
export type Format = 'text' | 'markdown' | 'json' | 'sarif' | 'junit';
const PROFILES = ['generic', 'bulwark'];

export type OptionName = keyof Options;

/** One option: its flag, the placeholder of its value (none for a switch), its help line. */
export interface OptionSpec {
  readonly flag: string;
  readonly alias?: string;
  /** Placeholder of the value, e.g. `<dir>`; a switch has none. */
  readonly value?: string;
  readonly help: string;
  /** Turns the text given into the option's value; throws UsageError on a bad one. */
  readonly parse?: (text: string) => string | number;
}

export class UsageError extends Error {}

export const OPTIONS: Readonly<Record<FlagName, OptionSpec>> = {
  overlays: { flag: '--overlays', value: '<dir>', help: 'overlay directory (default: overlays)' },
  out: { flag: '--out', value: '<dir>', help: 'output directory (default: dist)' },
  env: { flag: '--env', value: '<name>', help: 'one environment (the name of an overlay)' },
  quiet: { flag: '--quiet', alias: '-q', help: 'print errors only' },
  jobs: {
    flag: '--jobs',
    value: '<n>',
    help: 'synthesize environments on up to n threads (default 1; for 4+ cores)',
    parse: (v) => {
      if (!/^[1-9][0-9]{0,2}$/.test(v)) throw new UsageError(`--jobs needs a whole number from 1 to 999, got ${JSON.stringify(v)}`);
      return Number(v);
    },
  },
  remote: { flag: '--remote', value: '<name>', help: 'publish: push the dist branch to this git remote (default: the local branch only)' },
  to: { flag: '--to', value: '<branch>', help: 'publish: write this staging branch instead (promoted by pull request); Argo CD\'s hydrateTo' },
  ref: { flag: '--ref', value: '<ref>', help: 'the commit to compare with: a branch, tag or hash (default: the dist branch, else HEAD)' },
  report: { flag: '--report', value: '<file>', help: 'connectivity: also write the matrix as JSON to this file (for the compliance report)' },
  format: {
    flag: '--format',
    value: '<format>',
    help: 'diff: text (default) or markdown (a pull-request comment); check: text, json, sarif or junit',
  },
  profile: {
    flag: '--profile',
    value: '<name>',
    help: 'check: generic (default; any cluster) or bulwark (adds the platform\'s conventions)',
    parse: (v) => {
      if (!PROFILES.includes(v)) throw new UsageError(`--profile needs ${PROFILES.join(' or ')}, got ${JSON.stringify(v)}`);
      return v;
    },
  },
  kubeconfig: { flag: '--kubeconfig', value: '<file>', help: 'verify: the cluster to compare with dist/ (default: kubectl\'s, KUBECONFIG)' },
  waivers: { flag: '--waivers', value: '<file>', help: 'check: accept the findings the waivers of this YAML file cover (waivers: [...])' },
};

/** Options that are not flags: the command's arguments. */
type FlagName = Exclude<OptionName, 'args'>;

const DEFAULTS: Omit<Options, 'args'> = { overlays: 'overlays', out: 'dist', quiet: false, format: 'text', profile: 'generic' };

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** One command of the table: what it is called, what it takes, what it does. */
export interface CommandSpec<H> {
  readonly name: string;
  /** One line for the usage text. */
  readonly summary: string;
  /** The options it takes; any other is a usage error. */
  readonly options: readonly FlagName[];
  /** Options it cannot run without. @default none */
  readonly required?: readonly FlagName[];
  /** The formats `--format` takes, the first the default; only with `format` among the options. */
  readonly formats?: readonly Format[];
  /** Its arguments, for the usage text (`<file|dir|->...`); without it, arguments are a usage error. */
  readonly args?: { readonly synopsis: string; readonly help: string; readonly min: number };
  /**
   * Exit code of a failure (invalid input, a failed synthesis), for a command whose 1 means
   * something else (diff: there are differences). @default 1
   */
  readonly failureCode?: number;
  readonly handler: H;
}

export interface ParsedCommandLine<H> {
  readonly command: CommandSpec<H>;
  readonly options: Options;
  /** `--help` or `-h` was given: show the command's usage instead of running it. */
  readonly help: boolean;
}

/**
 * Reads `argv` against the table: the first argument names the command (`defaultCommand` when
 * it is an option or absent), then only that command's options. Throws UsageError.
 */
export function parseCommandLine<H>(argv: readonly string[], commands: readonly CommandSpec<H>[], defaultCommand: string): ParsedCommandLine<H> {
  const byName = new Map(commands.map((c) => [c.name, c]));
  const named = argv.length > 0 && !argv[0].startsWith('-');
  const command = byName.get(named ? argv[0] : defaultCommand);
  if (command === undefined) throw new UsageError(unknown('command', argv[0], [...byName.keys()]));
  const values: Record<string, string | number | boolean | string[]> = { ...DEFAULTS };
  const args: string[] = [];
  let help = false;
  const taken = command.options.map((name) => ({ name, spec: OPTIONS[name] }));
  for (let i = named ? 1 : 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (command.args !== undefined && (arg === '-' || !arg.startsWith('-'))) {
      args.push(arg);
      continue;
    }
    const option = taken.find(({ spec }) => spec.flag === arg || spec.alias === arg);
    if (option === undefined) throw new UsageError(notTaken(command, arg, commands));
    const { name, spec } = option;
    if (spec.value === undefined) {
      values[name] = true;
      continue;
    }
    const text = argv[++i];
    if (text === undefined || text.startsWith('-')) throw new UsageError(`${spec.flag} needs a value`);
    values[name] = spec.parse ? spec.parse(text) : text;
  }
  const formats = command.formats ?? ['text'];
  if (!(formats as readonly string[]).includes(String(values.format))) {
    throw new UsageError(`--format needs ${joinOr(formats)}, got ${JSON.stringify(values.format)}`);
  }
  if (!help && command.args !== undefined && args.length < command.args.min) {
    throw new UsageError(`${command.name} needs ${command.args.synopsis}: ${command.args.help}`);
  }
  const options = { ...values, args } as unknown as Options;
  const missing = help ? undefined : (command.required ?? []).find((name) => options[name] === undefined);
  if (missing !== undefined) throw new UsageError(`${command.name} needs ${OPTIONS[missing].flag} ${OPTIONS[missing].value}`);
  return { command, options, help };
}

function unknown(what: string, arg: string, allowed: readonly string[]): string {
  const suggestion = didYouMean(arg, allowed);
  return `unknown ${what} ${JSON.stringify(arg)}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`;
}

/** Why `arg` is refused: a typo of one of the command's options, another command's option, or nothing known. */
function notTaken<H>(command: CommandSpec<H>, arg: string, commands: readonly CommandSpec<H>[]): string {
  const flags = command.options.map((name) => OPTIONS[name].flag);
  if (!arg.startsWith('-')) return `unexpected argument ${JSON.stringify(arg)}: ${command.name} takes no arguments, only options`;
  const elsewhere = commands.filter((c) => c.options.some((name) => OPTIONS[name].flag === arg)).map((c) => c.name);
  if (elsewhere.length > 0) {
    const takes = flags.length > 0 ? flags.join(', ') : 'no options';
    return `${command.name} does not take ${arg} (${elsewhere.join(', ')} does); ${command.name} takes ${takes}`;
  }
  // A typo of one of its own options first; else of any command's (which then says who takes it).
  const own = didYouMean(arg, flags);
  return unknown('option', arg, own !== undefined ? flags : Object.values(OPTIONS).map((o) => o.flag));
}

function optionLine(spec: OptionSpec): string {
  const left = `${spec.flag}${spec.value ? ` ${spec.value}` : ''}${spec.alias ? `, ${spec.alias}` : ''}`;
  return `  ${left.padEnd(19)}${spec.help}`;
}

/** The usage text of the whole CLI. */
export function usageText<H>(program: string, commands: readonly CommandSpec<H>[], trailer: string): string {
  const used = [...new Set(commands.flatMap((c) => c.options))];
  // The summaries start in one column, two spaces past the longest command name.
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `usage: ${program} <command> [options]`,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'options:',
    ...used.map((name) => optionLine(OPTIONS[name])),
    `  ${'--help, -h'.padEnd(19)}show the usage (of a command: <command> --help)`,
    `  ${'--version'.padEnd(19)}print the version`,
    '',
    trailer,
  ].join('\n');
}

/** The usage text of one command. */
export function commandUsage<H>(program: string, command: CommandSpec<H>): string {
  const required = new Set(command.required ?? []);
  const synopsis = command.options.map((name) => {
    const o = OPTIONS[name];
    const text = `${o.flag}${o.value ? ` ${o.value}` : ''}`;
    return required.has(name) ? text : `[${text}]`;
  });
  if (command.args) synopsis.push(command.args.synopsis);
  const options = command.options.length > 0 ? ['options:', ...command.options.map((name) => optionLine(OPTIONS[name])), ''] : [];
  return [`usage: ${program} ${[command.name, ...synopsis].join(' ')}`, '', command.summary, '', ...options].join('\n');
}
