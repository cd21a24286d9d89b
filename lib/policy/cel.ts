/** A CEL list literal of strings, e.g. ['a/', 'b/']; refuses characters that would need escaping. */
export function celStringList(values: readonly string[]): string {
  for (const v of values) {
    if (/['"\\\n]/.test(v)) throw new Error(`cel: ${JSON.stringify(v)} cannot be a CEL string literal here: quotes, backslashes and newlines are not allowed`);
  }
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}
