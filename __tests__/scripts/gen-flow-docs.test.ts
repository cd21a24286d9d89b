/**
 * scripts/gen-flow-docs.ts: the README lists every rule of the needed-flows table with its reason,
 * as the generator makes it of today's table (make docs).
 */
import * as fs from 'fs';
import { FLOW_RULES } from '../../lib/connectivity/needed-flows';
import { END_MARKER, flowList, README_FILE, START_MARKER, withFlowList } from '../../scripts/gen-flow-docs';

describe('the README\'s list of needed flows', () => {
  test('is what scripts/gen-flow-docs.ts generates from FLOW_RULES (make docs)', () => {
    const readme = fs.readFileSync(README_FILE, 'utf8');
    expect(readme).toBe(withFlowList(readme, flowList()));
  });

  test('one bullet per rule, implicit and declared, each with its reason', () => {
    const list = flowList();
    expect(list.split('\n')[0]).toBe(START_MARKER);
    expect(list.split('\n').slice(1, -1)).toHaveLength(FLOW_RULES.length);
    for (const r of FLOW_RULES) expect(list).toContain(`- **\`${r.id}\`** (${r.kind}): ${r.reason.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`);
    expect(list.endsWith(END_MARKER)).toBe(true);
  });

  test('fails on a README without the markers, and a stale list is replaced whole', () => {
    expect(() => withFlowList('# no list here\n', flowList())).toThrow(/README\.md has no <!-- needed-flows:start/);
    const stale = `a\n${START_MARKER}\n- old\n${END_MARKER}\nb\n`;
    expect(withFlowList(stale, flowList())).toBe(`a\n${flowList()}\nb\n`);
  });
});
