import { failureLines, JestReport } from '../../scripts/jest-failures';

const ROOT = '/repo';
const MISSING = "Cannot find module '../lib/synth/emit' from '__tests__/broken.test.ts'";

type Test = { fullName: string; status: string; failureMessages?: string[] };

function suite(name: string, status: string, message: string, tests: Test[]): JestReport['testResults'][number] {
  return { name: `${ROOT}/${name}`, status, message, assertionResults: tests.map((t) => ({ failureMessages: [], ...t })) };
}

describe('failureLines', () => {
  test('shows each failed test once, with its assertion, without colors or foreign stack frames', () => {
    // GIVEN a report with a failed assertion (as jest writes it: colored, with a full stack)
    const message = [
      '\u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m\u001b[2m).\u001b[22mtoBe' +
        '\u001b[2m(\u001b[22m\u001b[32mexpected\u001b[39m\u001b[2m)\u001b[22m',
      '',
      'Expected: \u001b[32m2\u001b[39m',
      'Received: \u001b[31m1\u001b[39m',
      `    at Object.<anonymous> (${ROOT}/__tests__/a.test.ts:5:13)`,
      `    at Promise.then.completed (${ROOT}/node_modules/jest-circus/build/utils.js:298:28)`,
      '    at new Promise (<anonymous>)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    const report: JestReport = {
      testResults: [
        suite('__tests__/a.test.ts', 'failed', 'the whole suite, again', [
          { fullName: 'a adds', status: 'failed', failureMessages: [message] },
          { fullName: 'a keeps', status: 'passed' },
        ]),
      ],
    };
    // WHEN formatted THEN the test's name once, then why, with the stack reduced to our own frame
    expect(failureLines(report, { root: ROOT })).toEqual([
      '✕ __tests__/a.test.ts › a adds',
      '    expect(received).toBe(expected)',
      '',
      '    Expected: 2',
      '    Received: 1',
      '        at Object.<anonymous> (__tests__/a.test.ts:5:13)',
    ]);
  });

  test('shows the error of a suite that failed to run, and nothing of suites that passed', () => {
    const report: JestReport = {
      testResults: [
        suite('__tests__/ok.test.ts', 'passed', '', [{ fullName: 'ok', status: 'passed' }]),
        suite('__tests__/broken.test.ts', 'failed', `  ● Test suite failed to run\n\n    ${MISSING}`, []),
      ],
    };
    expect(failureLines(report, { root: ROOT })).toEqual([
      '✕ __tests__/broken.test.ts: the suite failed to run',
      '    ● Test suite failed to run',
      '',
      `      ${MISSING}`,
    ]);
  });

  test('trims long messages and counts the failures beyond the limit, and the unmatched snapshots', () => {
    const long = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const report: JestReport = {
      testResults: [
        suite(
          '__tests__/many.test.ts',
          'failed',
          '',
          ['one', 'two', 'three'].map((fullName) => ({ fullName, status: 'failed', failureMessages: [long] })),
        ),
      ],
      snapshot: { unmatched: 2, filesAdded: 0, unchecked: 0 },
    };
    const lines = failureLines(report, { root: ROOT, linesPerFailure: 3, maxFailures: 2 });
    expect(lines).toEqual([
      '✕ __tests__/many.test.ts › one',
      '    line 1',
      '    line 2',
      '    line 3',
      '    … 27 more lines',
      '✕ __tests__/many.test.ts › two',
      '    line 1',
      '    line 2',
      '    line 3',
      '    … 27 more lines',
      '… and 1 more failed tests (run jest to see them)',
      '2 snapshots do not match: review the diff, then make update',
    ]);
  });
});
