/** A position in a source file, 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One problem found in user input, with everything needed to fix it. */
export interface Problem {
  /** Overlay file, relative to the working directory. */
  readonly file: string;
  /** Where in the file, when the YAML parser knows it. */
  readonly position?: SourcePosition;
  /** Dotted key path, e.g. `components.backend.replicas`. Empty for the whole document. */
  readonly path: string;
  /** What is wrong, lowercase, without the received value. */
  readonly message: string;
  /** The value received, already rendered for humans. */
  readonly received?: string;
  /** What would be accepted. */
  readonly allowed?: string;
  /** How to fix it, when there is something better to say than `allowed`. */
  readonly fix?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.position ? `${p.file}:${p.position.line}:${p.position.column}` : p.file;
  const parts = [`${where}: ${p.path === '' ? '(document)' : p.path}: ${p.message}`];
  if (p.received !== undefined) parts.push(`received ${p.received}`);
  if (p.allowed !== undefined) parts.push(`allowed: ${p.allowed}`);
  if (p.fix !== undefined) parts.push(`fix: ${p.fix}`);
  return parts.join('; ');
}

/** Thrown when user input is invalid. Carries every problem found, not only the first. */
export class ConfigError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Renders a received value compactly: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  // A long string keeps its start and end, and says how long it is (length limits are a common error).
  if (typeof value === 'string') {
    return value.length > 60 ? `${JSON.stringify(`${value.slice(0, 40)}…${value.slice(-12)}`)} (${value.length} characters)` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  return `${String(value)} (${typeof value})`;
}

/** Closest candidate by edit distance, if it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const tolerance = Math.max(1, Math.floor(input.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
