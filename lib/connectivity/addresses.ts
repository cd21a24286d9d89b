import { intersectRanges, normalizeRanges, Range } from './ranges';

const LAST = 2 ** 32 - 1;

function parseAddress(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function addressText(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * A set of IPv4 addresses (NetworkPolicy ipBlocks: a CIDR less its exceptions). Printed as
 * np-guard's netpol-analyzer prints them: `10.50.0.0-10.50.255.255`, ranges joined by commas.
 */
export class Addresses {
  static readonly NONE = new Addresses([]);
  static readonly ALL = new Addresses([[0, LAST]]);

  /** The addresses of `cidr`; undefined when it is not an IPv4 CIDR (or a bare address). */
  static cidr(cidr: string): Addresses | undefined {
    const [address, bits = '32'] = cidr.split('/');
    const start = parseAddress(address);
    if (start === undefined || !/^[0-9]{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
    const size = 2 ** (32 - Number(bits));
    const base = start - (start % size);
    return new Addresses([[base, base + size - 1]]);
  }

  /** The addresses of `ranges` (inclusive `[first, last]` pairs of 32-bit numbers). */
  static ofRanges(ranges: readonly Range[]): Addresses {
    return new Addresses(normalizeRanges(ranges));
  }

  private constructor(readonly ranges: readonly Range[]) {}

  union(other: Addresses): Addresses {
    return new Addresses(normalizeRanges([...this.ranges, ...other.ranges]));
  }

  intersect(other: Addresses): Addresses {
    return new Addresses(intersectRanges(this.ranges, other.ranges));
  }

  subtract(other: Addresses): Addresses {
    return this.intersect(other.complement());
  }

  complement(): Addresses {
    const out: Range[] = [];
    let next = 0;
    for (const [a, b] of this.ranges) {
      if (a > next) out.push([next, a - 1]);
      next = b + 1;
    }
    if (next <= LAST) out.push([next, LAST]);
    return new Addresses(out);
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether every address of `other` is in this set (both are sorted, disjoint ranges: one walk, no allocation). */
  contains(other: Addresses): boolean {
    let i = 0;
    for (const [a, b] of other.ranges) {
      while (i < this.ranges.length && this.ranges[i][1] < a) i++;
      if (i === this.ranges.length || this.ranges[i][0] > a || this.ranges[i][1] < b) return false;
    }
    return true;
  }

  toString(): string {
    this.text ??= this.ranges.map(([a, b]) => `${addressText(a)}-${addressText(b)}`).join(',');
    return this.text;
  }

  private text?: string;
}

/**
 * The coarsest split of all addresses in which each of `blocks` is a union of parts: two
 * addresses share a part when every block holds both or neither. Each part is one destination (or
 * source) of the matrix: every rule treats all of its addresses alike.
 */
export function partition(all: readonly Addresses[]): Addresses[] {
  const blocks = [...new Map(all.map((b) => [b.toString(), b])).values()];
  const cuts = new Set<number>([0]);
  for (const b of blocks) for (const [start, end] of b.ranges) {
    cuts.add(start);
    if (end < LAST) cuts.add(end + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const parts = new Map<string, Range[]>();
  sorted.forEach((start, i) => {
    const end = i + 1 < sorted.length ? sorted[i + 1] - 1 : LAST;
    const signature = blocks.map((b) => (b.ranges.some(([a, z]) => a <= start && start <= z) ? '1' : '0')).join('');
    const part = parts.get(signature);
    if (part) part.push([start, end]);
    else parts.set(signature, [[start, end]]);
  });
  return [...parts.values()].map((ranges) => Addresses.ofRanges(ranges));
}
