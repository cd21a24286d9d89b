/**
 * Whether two YAML streams hold the same documents in the same order once parsed (comments,
 * blank lines, quoting and key order do not count): how `make test` compares `helm template`
 * of Helm 3 with Helm 4's, which separates documents with extra blank lines.
 *
 *   tsx scripts/same-documents.ts <a.yaml> <b.yaml>     exit 0 same, 1 different, 2 usage
 */
import * as fs from 'fs';
import { parseYamlDocuments } from '../lib/manifest/manifest-reader';
import { byCodePoint } from '../lib/util/order';

/** Canonical JSON of a value: object keys sorted, so key order does not count. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => byCodePoint(a, b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function documents(file: string): unknown[] {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'), file).filter((d) => d !== null && d !== undefined);
}

function named(doc: unknown): string {
  const o = doc as { kind?: unknown; metadata?: { name?: unknown } } | undefined;
  return `${String(o?.kind)} ${String(o?.metadata?.name)}`;
}

/** undefined when `a` and `b` hold the same documents; else what differs first. */
export function firstDifference(a: string, b: string): string | undefined {
  const left = documents(a);
  const right = documents(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (i >= left.length) return `${b} has ${right.length - left.length} more documents, from document ${i} (${named(right[i])})`;
    if (i >= right.length) return `${a} has ${left.length - right.length} more documents, from document ${i} (${named(left[i])})`;
    if (canonical(left[i]) !== canonical(right[i])) return `document ${i} differs: ${named(left[i])} in ${a}, ${named(right[i])} in ${b}`;
  }
  return undefined;
}

if (require.main === module) {
  const [a, b, ...rest] = process.argv.slice(2);
  if (a === undefined || b === undefined || rest.length > 0) {
    process.stderr.write('usage: tsx scripts/same-documents.ts <a.yaml> <b.yaml>\n');
    process.exitCode = 2;
  } else {
    const difference = firstDifference(a, b);
    if (difference === undefined) process.stdout.write(`${documents(a).length} documents, the same after parsing\n`);
    else process.stderr.write(`same-documents: ${difference}\n`);
    process.exitCode = difference === undefined ? 0 : 1;
  }
}
