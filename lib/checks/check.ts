import { KubeObject, objectRef } from '../manifest/kube-object';

export type Severity = 'error' | 'warning';

/** One rule broken by one object. */
export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly message: string;
}

/**
 * A rule judged on synthesized objects only, so it holds whoever produced them. Adding a check is
 * one definition in this folder plus one line in `index.ts`.
 */
export interface Check {
  /** kebab-case identifier, shown in findings and the report. */
  readonly id: string;
  /** What the check guarantees, for the README and the compliance report. */
  readonly description: string;
  readonly severity: Severity;
  /**
   * The only kinds `inspect` can find a problem in, when it says so: objects of other kinds are not
   * inspected at all (most checks concern a few kinds, and a run holds tens of thousands of objects).
   */
  readonly kinds?: ReadonlySet<string>;
  /** Returns a message per problem of this object; empty when the object complies. */
  inspect(object: KubeObject, all: readonly KubeObject[]): readonly string[];
}

/**
 * `build(all)`, computed once per synthesized set and cached under `cache`: checks that look
 * across objects index the set once instead of scanning it for every object, so a run stays
 * linear in the number of objects.
 */
export function indexOnce<T>(cache: WeakMap<readonly KubeObject[], T>, all: readonly KubeObject[], build: (all: readonly KubeObject[]) => T): T {
  let index = cache.get(all);
  if (index === undefined) {
    index = build(all);
    cache.set(all, index);
  }
  return index;
}

/** Objects grouped by `key`, each group in input order. */
export function groupBy(all: readonly KubeObject[], key: (o: KubeObject) => string): Map<string, KubeObject[]> {
  const groups = new Map<string, KubeObject[]>();
  for (const o of all) {
    const k = key(o);
    const group = groups.get(k);
    if (group) group.push(o);
    else groups.set(k, [o]);
  }
  return groups;
}

export function runChecks(checks: readonly Check[], objects: readonly KubeObject[]): Finding[] {
  const findings: Finding[] = [];
  const kinds = objects.map((o) => o.kind);
  for (const check of checks) {
    for (let i = 0; i < objects.length; i++) {
      if (check.kinds !== undefined && !check.kinds.has(kinds[i])) continue;
      const messages = check.inspect(objects[i], objects);
      for (let m = 0; m < messages.length; m++) {
        findings.push({ check: check.id, severity: check.severity, object: objectRef(objects[i]), message: messages[m] });
      }
    }
  }
  return findings;
}

export function formatFinding(f: Finding): string {
  return `${f.severity}: ${f.check}: ${f.object}: ${f.message}`;
}

/** Thrown when synthesized output breaks an error-level check. */
export class CheckError extends Error {
  constructor(public readonly environment: string, public readonly findings: readonly Finding[]) {
    super(findings.map((f) => `${environment}: ${formatFinding(f)}`).join('\n'));
    this.name = 'CheckError';
  }
}
