import { KubeObject, objectRef } from '../manifest/kube-object';
import { ControlId } from './controls';

export type Severity = 'error' | 'warning';

/**
 * Which checks run: `generic` judges any Kubernetes manifests (the default of `bulwark check`);
 * `bulwark` adds the platform's own conventions (labels, mesh policies, secret delivery), which
 * every synth runs as well.
 */
export type Profile = 'generic' | 'bulwark';
export const PROFILES: readonly Profile[] = ['generic', 'bulwark'];

/** One problem of one object: where (a JSON path into the object) and what. */
export interface Violation {
  /** The offending field, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  readonly path: string;
  readonly message: string;
}

/** One rule broken by one object. */
export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly message: string;
  /** The offending field's JSON path within the object; absent for findings of a whole environment. */
  readonly path?: string;
  /** The manifest file and line of the field, when the objects were read from files (`bulwark check`). */
  readonly file?: string;
  readonly line?: number;
}

/**
 * A rule judged on objects only, so it holds whoever produced them (a synth, Helm, a tenant's
 * YAML). Adding a check is one definition in this folder plus one line in `index.ts`; the README's
 * check table, the report and the SARIF rules come from the definition.
 */
export interface Check {
  /** kebab-case identifier, shown in findings, waivers and the report. */
  readonly id: string;
  /** A few words, for tables and SARIF's short description. */
  readonly title: string;
  /** What the check guarantees, one sentence. */
  readonly description: string;
  readonly severity: Severity;
  /** The least profile that runs it: `bulwark` checks run only in that profile. */
  readonly profile: Profile;
  /** The controls of CONTROLS it judges (empty for a platform convention). */
  readonly controls: readonly ControlId[];
  /** What to change, one sentence. */
  readonly remediation: string;
  /**
   * The only kinds `inspect` can find a problem in, when it says so: objects of other kinds are not
   * inspected at all (most checks concern a few kinds, and a run holds tens of thousands of objects).
   */
  readonly kinds?: ReadonlySet<string>;
  /** Returns a violation per problem of this object; empty when the object complies. */
  inspect(object: KubeObject, all: readonly KubeObject[]): readonly Violation[];
}

/** A violation of `path` (a JSON path) saying `message`. */
export function at(path: string, message: string): Violation {
  return { path, message };
}

/** The checks a profile runs. */
export function checksOf(checks: readonly Check[], profile: Profile): readonly Check[] {
  return profile === 'bulwark' ? checks : checks.filter((c) => c.profile === 'generic');
}

/**
 * `build(all)`, computed once per object set and cached under `cache`: checks that look
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

/** A finding with the index of the object it is about, in the order of `objects`. */
export interface LocatedFinding extends Finding {
  readonly index: number;
}

/** Every check on every object: the findings, check by check, each object in order. */
export function runChecksIndexed(checks: readonly Check[], objects: readonly KubeObject[]): LocatedFinding[] {
  const findings: LocatedFinding[] = [];
  const kinds = objects.map((o) => o.kind);
  for (const check of checks) {
    for (let i = 0; i < objects.length; i++) {
      if (check.kinds !== undefined && !check.kinds.has(kinds[i])) continue;
      const violations = check.inspect(objects[i], objects);
      for (let m = 0; m < violations.length; m++) {
        const { path, message } = violations[m];
        findings.push({ check: check.id, severity: check.severity, object: objectRef(objects[i]), message, path, index: i });
      }
    }
  }
  return findings;
}

export function runChecks(checks: readonly Check[], objects: readonly KubeObject[]): Finding[] {
  return runChecksIndexed(checks, objects).map(({ index: _, ...f }) => f);
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
