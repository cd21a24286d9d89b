/**
 * Locale-independent ordering. `localeCompare` depends on the machine's locale (Lithuanian sorts
 * "y" before "j"), so output order is always by UTF-16 code unit.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A record's entries sorted by key. */
export function sortedEntries<V>(record: Readonly<Record<string, V>>): [string, V][] {
  return Object.entries(record).sort(([a], [b]) => byCodePoint(a, b));
}
