import { intersectRanges, normalizeRanges, Range } from './ranges';

/** The protocols a NetworkPolicy port names (Kubernetes defaults to TCP), in the order connections are printed. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;


/** Ports of one protocol: numbered ranges, and port names a peer outside the input would resolve. */
interface ProtocolPorts {
  readonly ranges: readonly Range[];
  readonly names: ReadonlySet<string>;
}

const NO_PORTS: ProtocolPorts = { ranges: [], names: new Set() };
const ALL_PORTS: ProtocolPorts = { ranges: [[MIN_PORT, MAX_PORT]], names: new Set() };


function isFull(p: ProtocolPorts): boolean {
  return p.ranges.length === 1 && p.ranges[0][0] === MIN_PORT && p.ranges[0][1] === MAX_PORT;
}


function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let out: Range[] = [...a];
  for (const [b0, b1] of b) {
    out = out.flatMap(([a0, a1]): Range[] => (b1 < a0 || b0 > a1 ? [[a0, a1]] : [
      ...(a0 < b0 ? [[a0, b0 - 1] as Range] : []),
      ...(b1 < a1 ? [[b1 + 1, a1] as Range] : []),
    ]));
  }
  return out;
}

/** Every distinct set, by its text: equal sets are one object, so that results can be remembered by identity. */
const interned = new Map<string, Connections>();
type Operation = 'union' | 'intersect' | 'subtract';
const remembered: Record<Operation, Map<Connections, Map<Connections, Connections>>> = {
  union: new Map(),
  intersect: new Map(),
  subtract: new Map(),
};

/**
 * A set of connections (protocol and port), as a NetworkPolicy rule, an AuthorizationPolicy or a
 * need allows them. Immutable and interned (one object per distinct set, its operations computed
 * once per pair: a thousand services ask the same few questions many times); printed the way
 * np-guard's netpol-analyzer prints connections (`All Connections`, `TCP 53,UDP 53`,
 * `TCP 1-1024,8080`), so that both can be compared as text.
 */
export class Connections {
  static readonly NONE = Connections.of(new Map());
  static readonly ALL = Connections.of(new Map(PROTOCOLS.map((p) => [p, ALL_PORTS])));

  /** Ports `start`–`end` (one port when `end` is omitted) of `protocol`. */
  static ports(protocol: Protocol, start: number, end = start): Connections {
    const key = start === end ? `${protocol} ${start}` : `${protocol} ${start}-${end}`;
    return interned.get(key) ?? Connections.of(new Map([[protocol, { ranges: normalizeRanges([[start, end]]), names: new Set<string>() }]]));
  }

  /** Every port of `protocol`. */
  static protocol(protocol: Protocol): Connections {
    return interned.get(`${protocol} ${MIN_PORT}-${MAX_PORT}`) ?? Connections.of(new Map([[protocol, ALL_PORTS]]));
  }

  /** A named port that only the destination pod could resolve (a peer outside the input). */
  static named(protocol: Protocol, name: string): Connections {
    return Connections.of(new Map([[protocol, { ranges: [], names: new Set([name]) }]]));
  }

  static union(sets: Iterable<Connections>): Connections {
    let out = Connections.NONE;
    for (const s of sets) out = out.union(s);
    return out;
  }

  /** The one object of this set. */
  private static of(byProtocol: ReadonlyMap<Protocol, ProtocolPorts>): Connections {
    const key = textOf(byProtocol);
    let found = interned.get(key);
    if (!found) interned.set(key, (found = new Connections(byProtocol, key)));
    return found;
  }

  private constructor(private readonly byProtocol: ReadonlyMap<Protocol, ProtocolPorts>, private readonly text: string) {}

  private of(protocol: Protocol): ProtocolPorts {
    return this.byProtocol.get(protocol) ?? NO_PORTS;
  }

  private remember(operation: Operation, other: Connections, compute: () => Connections): Connections {
    let row = remembered[operation].get(this);
    if (!row) remembered[operation].set(this, (row = new Map()));
    let result = row.get(other);
    if (!result) row.set(other, (result = compute()));
    return result;
  }

  private combine(other: Connections, each: (a: ProtocolPorts, b: ProtocolPorts) => ProtocolPorts): Connections {
    const out = new Map<Protocol, ProtocolPorts>();
    for (const p of PROTOCOLS) {
      const ports = each(this.of(p), other.of(p));
      if (ports.ranges.length > 0 || ports.names.size > 0) out.set(p, ports);
    }
    return Connections.of(out);
  }

  union(other: Connections): Connections {
    if (other === this || other === Connections.NONE || this === Connections.ALL) return this;
    if (this === Connections.NONE || other === Connections.ALL) return other;
    return this.remember('union', other, () => this.combine(other, (a, b) => ({
      ranges: normalizeRanges([...a.ranges, ...b.ranges]),
      names: new Set([...a.names, ...b.names]),
    })));
  }

  /** What both allow; a port name survives where the other side allows every port of its protocol, or the same name. */
  intersect(other: Connections): Connections {
    if (other === this || other === Connections.ALL || this === Connections.NONE) return this;
    if (this === Connections.ALL || other === Connections.NONE) return other;
    return this.remember('intersect', other, () => this.combine(other, (a, b) => ({
      ranges: intersectRanges(a.ranges, b.ranges),
      names: new Set([...[...a.names].filter((n) => b.names.has(n) || isFull(b)), ...(isFull(a) ? b.names : [])]),
    })));
  }

  /** What this allows and `other` does not (numbered ports; names are kept unless `other` has them or all ports). */
  subtract(other: Connections): Connections {
    if (other === Connections.NONE || this === Connections.NONE) return this;
    if (other === this || other === Connections.ALL) return Connections.NONE;
    return this.remember('subtract', other, () => this.combine(other, (a, b) => ({
      ranges: subtractRanges(a.ranges, b.ranges),
      names: new Set([...a.names].filter((n) => !b.names.has(n) && !isFull(b))),
    })));
  }

  isEmpty(): boolean {
    return this === Connections.NONE;
  }

  isAll(): boolean {
    return this === Connections.ALL;
  }

  /** Whether every connection of `other` is in this set. */
  contains(other: Connections): boolean {
    return other.subtract(this) === Connections.NONE;
  }

  /** Whether `protocol` `port` is allowed. */
  has(protocol: Protocol, port: number): boolean {
    return this.of(protocol).ranges.some(([a, b]) => a <= port && port <= b);
  }

  /** The ports of `protocol`, one by one; undefined when there are more than `limit`. */
  portList(protocol: Protocol, limit: number): readonly number[] | undefined {
    const ports: number[] = [];
    for (const [a, b] of this.of(protocol).ranges) {
      if (ports.length + b - a + 1 > limit) return undefined;
      for (let p = a; p <= b; p++) ports.push(p);
    }
    return ports;
  }

  /** Each protocol with its ports, for the JSON report. */
  toJSON(): { protocol: Protocol; ports: string }[] {
    return PROTOCOLS.filter((p) => this.byProtocol.has(p)).map((p) => ({ protocol: p, ports: portsText(this.of(p)) }));
  }

  toString(): string {
    return this.text;
  }
}

function textOf(byProtocol: ReadonlyMap<Protocol, ProtocolPorts>): string {
  if (PROTOCOLS.every((p) => isFull(byProtocol.get(p) ?? NO_PORTS))) return 'All Connections';
  if (byProtocol.size === 0) return 'No Connections';
  return PROTOCOLS.filter((p) => byProtocol.has(p)).map((p) => `${p} ${portsText(byProtocol.get(p)!)}`).join(',');
}

function portsText(p: ProtocolPorts): string {
  return [...p.ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)), ...[...p.names].sort()].join(',');
}
