/**
 * Are two renderings the same objects? Both sides are parsed, every object is turned into
 * canonical JSON (keys sorted at every level), and the two sorted lists must be equal.
 */
import { parseYamlDocuments, readOutputObjects } from '../lib/manifest/manifest-reader';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every cluster object of one synthesized environment folder, the Argo CD objects included (API-server files are not part of a chart). */
export function objectsOfTree(envDir: string): unknown[] {
  return readOutputObjects(envDir, ['object', 'gitops']).map((o) => o.object);
}

/** Every object of a YAML stream (what `helm template` prints). */
export function objectsOfStream(text: string, where = 'stream'): unknown[] {
  return parseYamlDocuments(text, where).filter((o) => o !== null && o !== undefined);
}

function identity(o: unknown): string {
  const obj = o as { kind?: string; metadata?: { namespace?: string; name?: string } };
  return `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
}

/** undefined when `a` and `b` hold the same objects; otherwise what differs, briefly. */
export function differences(a: readonly unknown[], b: readonly unknown[], names: readonly [string, string]): string | undefined {
  const byId = (list: readonly unknown[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const o of list) m.set(identity(o), [...(m.get(identity(o)) ?? []), canonicalJson(o)]);
    return m;
  };
  const left = byId(a);
  const right = byId(b);
  const problems: string[] = [];
  for (const id of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = (left.get(id) ?? []).sort();
    const r = (right.get(id) ?? []).sort();
    if (l.length !== r.length) problems.push(`${id}: ${l.length} in ${names[0]}, ${r.length} in ${names[1]}`);
    else if (l.some((text, i) => text !== r[i])) problems.push(`${id} differs:\n  ${names[0]}: ${l.join(' ')}\n  ${names[1]}: ${r.join(' ')}`);
  }
  if (problems.length === 0) return undefined;
  return `${problems.length} objects differ between ${names[0]} (${a.length} objects) and ${names[1]} (${b.length} objects); `
    + `first:\n${problems.slice(0, 3).join('\n')}`;
}
