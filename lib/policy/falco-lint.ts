import { readYamlDocuments } from '../util/fast-yaml';

/**
 * Offline structural check of a Falco rules file: there is no Falco binary to load it, so this
 * checks what can be checked without one. Every item is a list, macro or rule with exactly its
 * keys; rules have rule/desc/condition/output/priority and a valid priority; names are unique;
 * conditions parse (balanced parentheses, `field op value`, `field in (...)`, and/or/not), and
 * every macro and every `bulwark_*` list a condition references is defined before it is used.
 * Returns one message per problem; empty when the file is sound.
 */

export const FALCO_PRIORITY_NAMES: readonly string[] = [
  'EMERGENCY',
  'ALERT',
  'CRITICAL',
  'ERROR',
  'WARNING',
  'NOTICE',
  'INFORMATIONAL',
  'INFO',
  'DEBUG',
];

const KEYS: Readonly<Record<string, { required: readonly string[]; optional: readonly string[] }>> = {
  list: { required: ['list', 'items'], optional: ['append', 'override'] },
  macro: { required: ['macro', 'condition'], optional: ['append', 'override'] },
  rule: {
    required: ['rule', 'desc', 'condition', 'output', 'priority'],
    optional: [
      'tags',
      'enabled',
      'exceptions',
      'source',
      'append',
      'override',
      'warn_evttypes',
      'skip-if-unknown-filter',
      'required_plugin_versions',
    ],
  },
};

const COMPARISON = new Set([
  '=', '==', '!=', '<', '<=', '>', '>=',
  'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex',
]);
const SET_OPERATORS = new Set(['in', 'intersects', 'pmatch']);
const FIELD = /^[a-z0-9_]+(\.[a-z0-9_]+)+(\[[^\]\s]+\])?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Token = { readonly text: string; readonly quoted: boolean };

/** Splits a condition into words, quoted strings, parentheses, commas and comparison symbols. */
export function tokenize(condition: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < condition.length) {
    const c = condition[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ text: c, quoted: false });
      i++;
    } else if (c === '"' || c === "'") {
      const end = condition.indexOf(c, i + 1);
      if (end < 0) return `unterminated string starting at column ${i + 1}`;
      tokens.push({ text: condition.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if ('=!<>'.includes(c)) {
      const two = condition.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>='].includes(two) ? two : c;
      if (op === '!') return `"!" at column ${i + 1} is not an operator (use != or not)`;
      tokens.push({ text: op, quoted: false });
      i += op.length;
    } else {
      let j = i;
      let bracket = 0;
      while (j < condition.length) {
        const d = condition[j];
        if (d === '[') bracket++;
        if (d === ']') bracket--;
        if (bracket === 0 && (/\s/.test(d) || '(),"\'=!<>'.includes(d))) break;
        j++;
      }
      tokens.push({ text: condition.slice(i, j), quoted: false });
      i = j;
    }
  }
  return tokens;
}

interface Scope {
  readonly macros: ReadonlySet<string>;
  readonly lists: ReadonlySet<string>;
}

/** Parses a condition; returns its problems and the macros and lists it references. */
export function checkCondition(condition: string, scope: Scope): { problems: string[]; macros: string[]; lists: string[] } {
  const problems: string[] = [];
  const macros: string[] = [];
  const lists: string[] = [];
  const tokens = tokenize(condition);
  if (typeof tokens === 'string') return { problems: [tokens], macros, lists };
  let depth = 0;
  for (const t of tokens) {
    if (t.quoted) continue;
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth < 0) return { problems: ['unbalanced parentheses: ")" without "("'], macros, lists };
  }
  if (depth !== 0) return { problems: [`unbalanced parentheses: ${depth} "(" never closed`], macros, lists };

  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token | undefined => tokens[pos++];
  const fail = (message: string): never => {
    throw new Error(`${message} in "${condition}"`);
  };

  const value = (): void => {
    const t = next();
    if (!t || (!t.quoted && ['(', ')', ',', 'and', 'or'].includes(t.text))) fail('expected a value');
  };
  const valueList = (): void => {
    if (peek()?.text !== '(' || peek()?.quoted) {
      const t = next();
      if (!t || t.quoted || !NAME.test(t.text)) fail('expected ( or a list name after a set operator');
      if (!scope.lists.has(t!.text)) problems.push(`unknown list ${t!.text}`);
      lists.push(t!.text);
      return;
    }
    next();
    if (peek()?.text === ')' && !peek()?.quoted) {
      next();
      return;
    }
    for (;;) {
      const t = next();
      if (!t || (!t.quoted && [')', ','].includes(t.text))) fail('expected a list item');
      if (!t!.quoted && NAME.test(t!.text) && (scope.lists.has(t!.text) || t!.text.startsWith('bulwark_'))) {
        if (!scope.lists.has(t!.text)) problems.push(`unknown list ${t!.text}`);
        lists.push(t!.text);
      }
      const sep = next();
      if (sep?.text === ')' && !sep.quoted) return;
      if (sep?.text !== ',' || sep.quoted) fail('expected , or ) in a list');
    }
  };
  const term = (): void => {
    const t = next();
    if (!t || t.quoted) return fail('expected a condition');
    if (t.text === 'not') return term();
    if (t.text === '(') {
      expr();
      if (next()?.text !== ')') fail('expected )');
      return;
    }
    if (FIELD.test(t.text)) {
      const op = next();
      if (!op || op.quoted) return fail(`expected an operator after ${t.text}`);
      if (op.text === 'exists') return;
      if (COMPARISON.has(op.text)) return value();
      if (SET_OPERATORS.has(op.text)) return valueList();
      return fail(`unknown operator ${op.text} after ${t.text}`);
    }
    if (NAME.test(t.text)) {
      if (!scope.macros.has(t.text)) problems.push(`unknown macro ${t.text}`);
      macros.push(t.text);
      return;
    }
    return fail(`unexpected ${t.text}`);
  };
  const expr = (): void => {
    term();
    while (peek() && !peek()!.quoted && (peek()!.text === 'and' || peek()!.text === 'or')) {
      next();
      term();
    }
  };
  try {
    expr();
    if (pos < tokens.length) fail(`unexpected ${tokens[pos].text}`);
  } catch (e) {
    problems.push((e as Error).message);
  }
  return { problems, macros, lists };
}

/** Every problem of a Falco rules file (YAML text). */
export function lintFalcoRules(text: string): string[] {
  const docs = readYamlDocuments(text);
  if ('error' in docs || docs.values.length !== 1) return [`not one YAML document${'error' in docs ? `: ${docs.error}` : ''}`];
  const items: unknown = docs.values[0];
  if (!Array.isArray(items)) return ['a rules file is a YAML sequence of list, macro and rule items'];
  const problems: string[] = [];
  const defined = { macro: new Set<string>(), list: new Set<string>(), rule: new Set<string>() };
  const used = { macro: new Set<string>(), list: new Set<string>() };
  items.forEach((item: unknown, i) => {
    const where = `item ${i}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where}: not a mapping`);
      return;
    }
    const o = item as Record<string, unknown>;
    const types = (['list', 'macro', 'rule'] as const).filter((k) => k in o);
    if (types.length !== 1) {
      problems.push(`${where}: must have exactly one of list, macro, rule`);
      return;
    }
    const type = types[0];
    const name = o[type];
    const label = `${type} ${JSON.stringify(name)}`;
    if (typeof name !== 'string' || name.trim() === '') {
      problems.push(`${where}: ${type} needs a name`);
      return;
    }
    const { required, optional } = KEYS[type];
    for (const k of required) if (o[k] === undefined || o[k] === null || o[k] === '') problems.push(`${label}: missing ${k}`);
    for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) problems.push(`${label}: unknown key ${k}`);
    if (defined[type].has(name)) problems.push(`${label}: defined twice`);
    if (type !== 'rule' && !NAME.test(name)) problems.push(`${label}: a ${type} name is letters, digits and _`);
    if (type === 'list') {
      if (!Array.isArray(o.items) || !o.items.every((x) => typeof x === 'string' || typeof x === 'number')) {
        problems.push(`${label}: items must be a list of strings`);
      }
    } else {
      if (typeof o.condition === 'string') {
        const r = checkCondition(o.condition, { macros: defined.macro, lists: defined.list });
        problems.push(...r.problems.map((p) => `${label}: condition: ${p}`));
        r.macros.forEach((m) => used.macro.add(m));
        r.lists.forEach((l) => used.list.add(l));
      } else if (o.condition !== undefined) {
        problems.push(`${label}: condition must be a string`);
      }
    }
    if (type === 'rule') {
      if (typeof o.priority !== 'string' || !FALCO_PRIORITY_NAMES.includes(o.priority.toUpperCase())) {
        problems.push(`${label}: priority ${JSON.stringify(o.priority)} is not one of ${FALCO_PRIORITY_NAMES.join(', ')}`);
      }
      if (typeof o.output === 'string' && !/%[a-z0-9_]+\.[a-z0-9_.]+/.test(o.output)) problems.push(`${label}: output names no %field`);
      if (o.tags !== undefined && (!Array.isArray(o.tags) || !o.tags.every((x) => typeof x === 'string'))) {
        problems.push(`${label}: tags must be a list of strings`);
      }
    }
    defined[type].add(name);
  });
  for (const m of defined.macro) if (!used.macro.has(m)) problems.push(`macro ${JSON.stringify(m)}: never used`);
  for (const l of defined.list) if (!used.list.has(l)) problems.push(`list ${JSON.stringify(l)}: never used`);
  return problems;
}
