import { checkCondition, lintFalcoRules, tokenize } from '../../lib/policy/falco-lint';
import { falcoRules, falcoRulesYaml } from '../../lib/policy/falco-rules';

const props = { environment: 'dev', namespaces: ['bulwark-dev'], agents: [{ name: 'agent', hosts: ['api.openai.com'], cidrs: [] }] };
const rules = falcoRules(props);
const text = falcoRulesYaml(rules);
const ruleNames = rules.flatMap((i) => ('rule' in i ? [i.rule] : []));

describe('platform Falco rules', () => {
  test('the three platform rules are present, with valid priorities', () => {
    expect(ruleNames).toEqual([
      'Bulwark dev: shell in a container',
      'Bulwark dev: write below /etc',
      'Bulwark dev: unexpected outbound connection from the AI agent (agent)',
    ]);
    expect(lintFalcoRules(text)).toEqual([]);
  });

  test('the agent rule allows its declared hosts and private networks, never the metadata service', () => {
    const agent = rules.find((i) => 'rule' in i && i.rule.includes('AI agent')) as { condition: string };
    expect(agent.condition).toContain('k8s.pod.label[app.kubernetes.io/name] = "agent" and container.name = "agent"');
    expect(agent.condition).toContain('not fd.sip.name in (bulwark_dev_agent_hosts)');
    expect(text).not.toContain('169.254');
  });

  test('without an agent there is no agent rule and nothing unused', () => {
    const none = falcoRulesYaml(falcoRules({ ...props, agents: [] }));
    expect(none).not.toContain('outbound');
    expect(lintFalcoRules(none)).toEqual([]);
  });
});

describe('lintFalcoRules', () => {
  const scope = { macros: new Set(['spawned']), lists: new Set(['bulwark_shells']) };
  const lint = (yaml: string) => lintFalcoRules(yaml);

  test('parses fields, operators, lists, negation and parentheses', () => {
    expect(checkCondition('spawned and (proc.name in (bulwark_shells, "x y") or not fd.name startswith /etc/) and evt.dir = <', scope))
      .toEqual({ problems: [], macros: ['spawned'], lists: ['bulwark_shells'] });
    expect(checkCondition('k8s.pod.label[app.kubernetes.io/name] = "a" and fd.name exists', scope).problems).toEqual([]);
  });

  test('fails on unbalanced parentheses, unknown macros and lists, a dangling operator', () => {
    expect(checkCondition('(spawned and proc.name = sh', scope).problems).toEqual(['unbalanced parentheses: 1 "(" never closed']);
    expect(checkCondition('spawned)', scope).problems).toEqual(['unbalanced parentheses: ")" without "("']);
    expect(checkCondition('spawnd and proc.name in (bulwark_shels)', scope).problems).toEqual(['unknown macro spawnd', 'unknown list bulwark_shels']);
    expect(checkCondition('proc.name =', scope).problems).toEqual(['expected a value in "proc.name ="']);
    expect(checkCondition('proc.name ~ sh', scope).problems).toEqual(['unknown operator ~ after proc.name in "proc.name ~ sh"']);
    expect(tokenize('proc.name = "sh')).toBe('unterminated string starting at column 13');
  });

  test('fails on a rule without output, a bad priority, an unknown key, a duplicate and a use before definition', () => {
    const problems = lint(`
- rule: r
  desc: d
  condition: m
  priority: LOUD
  tag: [x]
- macro: m
  condition: evt.type = open
- macro: m
  condition: evt.type = open
`);
    expect(problems).toEqual([
      'rule "r": missing output',
      'rule "r": unknown key tag',
      'rule "r": condition: unknown macro m',
      'rule "r": priority "LOUD" is not one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, INFO, DEBUG',
      'macro "m": defined twice',
    ]);
  });

  test('fails on an item that is not a list, macro or rule, an output without fields, and unused definitions', () => {
    expect(lint('- foo: bar\n')).toEqual(['item 0: must have exactly one of list, macro, rule']);
    const listAndRule = '- list: bulwark_l\n  items: [a]\n'
      + '- rule: r\n  desc: d\n  condition: evt.type = open\n  output: opened\n  priority: INFO\n';
    expect(lint(listAndRule)).toEqual([
      'rule "r": output names no %field',
      'list "bulwark_l": never used',
    ]);
    expect(lint('{a: 1}')).toEqual(['a rules file is a YAML sequence of list, macro and rule items']);
  });
});
