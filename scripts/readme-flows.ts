/**
 * The README's "How to add a component" and "How to add an environment", as something a script can
 * follow: each section's YAML example (the file it belongs in is its first line, a comment) and
 * the `make …` commands its steps name. scripts/test-flows.sh applies them to a copy of the
 * repository and runs the commands, so that the README cannot drift from what works.
 *
 *   npx tsx scripts/readme-flows.ts apply <dir>    edit <dir>/overlays/ as the README says, print
 *                                                  the commands to run there, one a line
 *   npx tsx scripts/readme-flows.ts verify <dir>   after them: the new dist/ folders and the new
 *                                                  environment's snapshot exist (exit 1 if not)
 */
import * as fs from 'fs';
import * as path from 'path';

/** "How to add a component": a component block to add under `components:` of one overlay. */
export interface ComponentFlow {
  /** The overlay it goes into, e.g. `overlays/dev.yaml`. */
  readonly overlay: string;
  /** The component's name (its key under `components:`). */
  readonly name: string;
  /** The component's lines, indented as under `components:`. */
  readonly lines: readonly string[];
}

/** "How to add an environment": a copy of one overlay with some top-level keys set. */
export interface EnvironmentFlow {
  /** The overlay copied, e.g. `overlays/dev.yaml`. */
  readonly from: string;
  /** The new overlay, e.g. `overlays/qa.yaml`. */
  readonly to: string;
  /** The new environment's name. */
  readonly environment: string;
  /** Top-level `key: value` lines that replace the copied ones, in README order. */
  readonly settings: readonly (readonly [key: string, value: string])[];
}

export interface ReadmeFlows {
  readonly component: ComponentFlow;
  readonly environment: EnvironmentFlow;
  /** The `make …` commands the two sections name, in order, once each, `<env>` filled in; without `make test`. */
  readonly commands: readonly string[];
}

const COMPONENT = 'How to add a component';
const ENVIRONMENT = 'How to add an environment';

/** The body of the `## <title>` section. */
function section(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The lines of the section's one ```yaml block, unindented. */
function yamlBlock(body: string, title: string): string[] {
  const blocks = [...body.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)];
  if (blocks.length !== 1) throw new Error(`README.md "${title}": expected one yaml example, found ${blocks.length}`);
  const [, indent, text] = blocks[0];
  return text.replace(/\n$/, '').split('\n').map((l) => l.slice(indent.length));
}

/** The `make …` commands in backticks, `make test` left out: the flow runs its parts itself. */
function makeCommands(body: string): string[] {
  return [...body.matchAll(/`(make [^`]+)`/g)].map((m) => m[1]).filter((c) => c !== 'make test');
}

function componentFlow(body: string): ComponentFlow {
  const [first, ...rest] = yamlBlock(body, COMPONENT);
  const overlay = /^# (overlays\/[a-z0-9-]+\.yaml)$/.exec(first)?.[1];
  if (!overlay || rest[0] !== 'components:') {
    const found = JSON.stringify([first, rest[0]]);
    throw new Error(`README.md "${COMPONENT}": the example must start with "# overlays/<env>.yaml" and "components:"; found ${found}`);
  }
  const lines = rest.slice(1).filter((l) => !/^\s*#/.test(l));
  const name = /^ {2}([a-z0-9-]+):$/.exec(lines[0] ?? '')?.[1];
  if (!name || lines.slice(1).some((l) => !l.startsWith('    '))) {
    throw new Error(`README.md "${COMPONENT}": the example must hold one component, "  <name>:" and its keys below it`);
  }
  return { overlay, name, lines };
}

function environmentFlow(body: string): EnvironmentFlow {
  const [first, ...rest] = yamlBlock(body, ENVIRONMENT);
  const m = /^# (overlays\/([a-z0-9-]+)\.yaml), a copy of (overlays\/[a-z0-9-]+\.yaml) with$/.exec(first);
  if (!m) {
    const expected = '# overlays/<env>.yaml, a copy of overlays/<other>.yaml with';
    throw new Error(`README.md "${ENVIRONMENT}": the example must start with "${expected}"; found ${JSON.stringify(first)}`);
  }
  const settings = rest.map((l) => {
    const kv = /^([a-zA-Z]+): (\S.*)$/.exec(l);
    if (!kv) throw new Error(`README.md "${ENVIRONMENT}": expected top-level "key: value" lines; found ${JSON.stringify(l)}`);
    return [kv[1], kv[2]] as const;
  });
  if (!settings.some(([k, v]) => k === 'environment' && v === m[2])) {
    throw new Error(`README.md "${ENVIRONMENT}": the example must set "environment: ${m[2]}" (it must equal the file name)`);
  }
  return { from: m[3], to: m[1], environment: m[2], settings };
}

/** Both flows of `readme` (the text of README.md); throws when the README no longer says them. */
export function readmeFlows(readme: string): ReadmeFlows {
  const componentBody = section(readme, COMPONENT);
  const environmentBody = section(readme, ENVIRONMENT);
  const environment = environmentFlow(environmentBody);
  for (const [title, body] of [[COMPONENT, componentBody], [ENVIRONMENT, environmentBody]]) {
    if (!makeCommands(body).includes('make update')) throw new Error(`README.md "${title}": its steps no longer say \`make update\``);
  }
  const commands = [...makeCommands(componentBody), ...makeCommands(environmentBody)].map((c) => c.replace(/<env>/g, environment.environment));
  return { component: componentFlow(componentBody), environment, commands: [...new Set(commands)] };
}

/** `text` (an overlay) with `lines` added at the end of its block-style `components:` mapping. */
export function withComponent(text: string, lines: readonly string[]): string {
  const all = text.replace(/\n+$/, '').split('\n');
  const start = all.findIndex((l) => /^components:\s*(#.*)?$/.test(l));
  if (start === -1) throw new Error('the overlay has no block-style "components:" mapping to add to');
  let end = all.findIndex((l, i) => i > start && /^[^\s#]/.test(l));
  if (end === -1) end = all.length;
  while (end > start + 1 && all[end - 1].trim() === '') end--;
  return [...all.slice(0, end), '', ...lines, ...all.slice(end), ''].join('\n');
}

/**
 * `text` with each setting's top-level key, and the block below it, replaced by `key: value`; a key
 * the overlay does not have (one with a default) is added at the end.
 */
export function withSettings(text: string, settings: EnvironmentFlow['settings']): string {
  return settings.reduce((t, [key, value]) => {
    const lines = t.replace(/\n+$/, '').split('\n');
    const start = lines.findIndex((l) => l.startsWith(`${key}:`));
    if (start === -1) return `${[...lines, `${key}: ${value}`].join('\n')}\n`;
    let end = start + 1;
    while (end < lines.length && (lines[end].startsWith(' ') || lines[end] === '')) end++;
    while (end > start + 1 && lines[end - 1] === '') end--;
    return `${[...lines.slice(0, start), `${key}: ${value}`, ...lines.slice(end)].join('\n')}\n`;
  }, text);
}

/** Edits `dir`'s overlays as both flows say (the component first, then the environment copy); returns what it did. */
export function applyFlows(flows: ReadmeFlows, dir: string): string[] {
  const { component, environment } = flows;
  const target = path.join(dir, component.overlay);
  fs.writeFileSync(target, withComponent(fs.readFileSync(target, 'utf8'), component.lines));
  const copy = withSettings(fs.readFileSync(path.join(dir, environment.from), 'utf8'), environment.settings);
  fs.writeFileSync(path.join(dir, environment.to), copy, { flag: 'wx' });
  return [
    `${COMPONENT}: components.${component.name} added to ${component.overlay}`,
    `${ENVIRONMENT}: ${environment.to}, a copy of ${environment.from} with ${environment.settings.map(([k, v]) => `${k}: ${v}`).join(', ')}`,
  ];
}

/** The per-environment snapshots (__tests__/synth/committed-overlays.test.ts). */
const SNAPSHOTS = '__tests__/synth/__snapshots__/committed-overlays.test.ts.snap';

/** What the commands must have produced in `dir`: the new folders of dist/ and the new environment's snapshot; the missing ones. */
export function missingResults(flows: ReadmeFlows, dir: string): string[] {
  const { component, environment } = flows;
  const componentEnv = path.basename(component.overlay, '.yaml');
  const folders = [`dist/${componentEnv}/${component.name}`, `dist/${environment.environment}`];
  const empty = (f: string) => !fs.existsSync(path.join(dir, f)) || fs.readdirSync(path.join(dir, f)).length === 0;
  const missing = folders.filter(empty).map((f) => `${f}/ (empty or absent)`);
  const snap = path.join(dir, SNAPSHOTS);
  const snapshot = `synthesize ${environment.environment}: full snapshot of every file 1`;
  if (!fs.existsSync(snap) || !fs.readFileSync(snap, 'utf8').includes(`exports[\`${snapshot}\`]`)) missing.push(`${SNAPSHOTS}: "${snapshot}"`);
  return missing;
}

function main(args: string[]): void {
  if (args.length !== 2 || !['apply', 'verify'].includes(args[0])) {
    process.stderr.write('usage: readme-flows.ts apply|verify <dir>\n');
    process.exitCode = 2;
    return;
  }
  const dir = path.resolve(args[1]);
  const flows = readmeFlows(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'));
  if (args[0] === 'apply') {
    for (const line of applyFlows(flows, dir)) process.stderr.write(`${line}\n`);
    process.stdout.write(flows.commands.map((c) => `${c}\n`).join(''));
    return;
  }
  const missing = missingResults(flows, dir);
  for (const m of missing) process.stderr.write(`missing after the README's commands: ${m}\n`);
  if (missing.length > 0) process.exitCode = 1;
}

if (require.main === module) main(process.argv.slice(2));
