import { KubeObject } from '../manifest/kube-object';
import { LabelSelector, selects } from '../manifest/label-selector';
import { addTo, Inventory, Workload } from './inventory';
import { Connections } from './ports';

/**
 * Who calls, as Istio's authorization sees it: the SPIFFE principal of the caller's service account
 * (`cluster.local/ns/<ns>/sa/<sa>`) and its namespace; `undefined` principal: any caller the input
 * does not name (a stand-in for every other identity of `namespace`, or of any namespace).
 */
export interface Identity {
  readonly principal?: string;
  readonly namespace?: string;
}

export function principalOf(namespace: string, serviceAccount: string): string {
  return `cluster.local/ns/${namespace}/sa/${serviceAccount}`;
}

export function identityOf(w: Workload): Identity {
  return { principal: principalOf(w.namespace, w.serviceAccount), namespace: w.namespace };
}

/** How the matrix names an identity. */
export function identityRef(id: Identity): string {
  if (id.principal) return id.principal;
  return id.namespace ? `cluster.local/ns/${id.namespace}/sa/[any other]` : '[any other identity]';
}

type Json = Record<string, unknown>;

interface Source {
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  /** Other source fields (request principals, IP blocks): they narrow which requests match, never which identities. */
  readonly other: boolean;
}

interface Operation {
  readonly ports?: readonly string[];
  readonly notPorts?: readonly string[];
  /** Hosts, methods, paths: narrow which requests match. */
  readonly other: boolean;
}

/** One rule of an AuthorizationPolicy: no `from`, every source; no `to`, every operation. */
export interface AuthorizationRule {
  readonly policy: AuthorizationPolicyView;
  readonly index: number;
  readonly from?: readonly Source[];
  readonly to?: readonly Operation[];
  /** `when` conditions: narrow which requests match. */
  readonly conditional: boolean;
}

export interface AuthorizationPolicyView {
  readonly object: KubeObject;
  readonly namespace: string;
  /** Absent: every workload of the namespace. */
  readonly selector?: LabelSelector;
  readonly action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  readonly rules: readonly AuthorizationRule[];
  /** A policy attached by targetRefs (gateways, services) does not select pods by labels. */
  readonly targeted: boolean;
}

const list = (v: unknown): readonly string[] | undefined => (Array.isArray(v) && v.length > 0 ? (v as string[]) : undefined);

function viewOf(object: KubeObject): AuthorizationPolicyView {
  const spec = (object.spec ?? {}) as Json;
  const view: { -readonly [K in keyof AuthorizationPolicyView]: AuthorizationPolicyView[K] } = {
    object,
    namespace: object.metadata.namespace ?? 'default',
    selector: spec.selector as LabelSelector | undefined,
    action: (spec.action as AuthorizationPolicyView['action'] | undefined) ?? 'ALLOW',
    rules: [],
    targeted: spec.targetRef !== undefined || spec.targetRefs !== undefined,
  };
  view.rules = ((spec.rules ?? []) as Json[]).map((r, index) => ({
    policy: view,
    index,
    from: (r.from as { source?: Json }[] | undefined)?.map(({ source = {} }) => ({
      principals: list(source.principals),
      notPrincipals: list(source.notPrincipals),
      namespaces: list(source.namespaces),
      notNamespaces: list(source.notNamespaces),
      other: ['requestPrincipals', 'notRequestPrincipals', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']
        .some((k) => list(source[k]) !== undefined),
    })),
    to: (r.to as { operation?: Json }[] | undefined)?.map(({ operation = {} }) => ({
      ports: list(operation.ports),
      notPorts: list(operation.notPorts),
      other: ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'].some((k) => list(operation[k]) !== undefined),
    })),
    conditional: list(r.when) !== undefined,
  }));
  return view;
}

/** Istio's string match: exact, `*`, `prefix*` or `*suffix`. */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/**
 * Whether a source entry matches `id`. An identity the input does not name (no principal) matches
 * only entries that constrain no principal: which service account it has is unknown.
 */
function sourceMatches(s: Source, id: Identity): boolean {
  const p = id.principal;
  if (s.principals && !(p !== undefined && s.principals.some((x) => matches(x, p)))) return false;
  if (s.notPrincipals && (p === undefined || s.notPrincipals.some((x) => matches(x, p)))) return false;
  if (s.namespaces && !(id.namespace !== undefined && s.namespaces.some((x) => matches(x, id.namespace!)))) return false;
  if (s.notNamespaces && (id.namespace === undefined || s.notNamespaces.some((x) => matches(x, id.namespace!)))) return false;
  return true;
}

function portsOf(values: readonly string[]): Connections {
  return Connections.union(values.map((v) => (/^[0-9]+$/.test(v) ? Connections.ports('TCP', Number(v)) : Connections.NONE)));
}

/** The TCP ports a rule matches for `id`: none when no source matches. */
function ruleConnections(rule: AuthorizationRule, id: Identity): Connections {
  if (rule.from && !rule.from.some((s) => sourceMatches(s, id))) return Connections.NONE;
  if (!rule.to) return Connections.protocol('TCP');
  return Connections.union(rule.to.map((o) => {
    const ports = o.ports ? portsOf(o.ports) : Connections.protocol('TCP');
    return o.notPorts ? ports.subtract(portsOf(o.notPorts)) : ports;
  }));
}

/** Whether a rule matches every request it matches by identity and port (no methods, paths, conditions, …). */
function unconditional(rule: AuthorizationRule): boolean {
  return !rule.conditional && !(rule.from ?? []).some((s) => s.other) && !(rule.to ?? []).some((o) => o.other);
}

/** What Istio's authorization decides for requests of one identity to one workload. */
export interface AuthorizationVerdict {
  /** The TCP ports on which some request of the identity is allowed. */
  readonly connections: Connections;
  /** The ALLOW and DENY policies applying to the workload; none: every request is allowed. */
  readonly applying: readonly AuthorizationPolicyView[];
  readonly allowing: readonly AuthorizationRule[];
  readonly denying: readonly AuthorizationRule[];
}

/**
 * The AuthorizationPolicy layer (Istio semantics) for workloads with a sidecar: DENY policies first
 * (a matching rule denies), then ALLOW: with no ALLOW policy applying, everything is allowed;
 * otherwise only what some ALLOW rule matches. A policy without rules matches nothing (the
 * namespace's allow-nothing policy). Rules that also match on methods, paths or conditions allow
 * some requests (ALLOW) and deny only some (DENY): counted as allowing, never as denying.
 */
export class AuthorizationLayer {
  readonly policies: readonly AuthorizationPolicyView[];
  /** Policies by `namespace|key=value` of their selector's first label (`namespace|` without one), in input order. */
  private readonly byLabel = new Map<string, AuthorizationPolicyView[]>();
  private readonly position = new Map<AuthorizationPolicyView, number>();
  private readonly applyingTo = new Map<Workload, AuthorizationPolicyView[]>();

  constructor(inventory: Inventory) {
    this.policies = inventory.authorizationPolicies.map(viewOf);
    this.policies.forEach((p, i) => {
      this.position.set(p, i);
      const first = Object.keys(p.selector?.matchLabels ?? {}).sort()[0];
      const key = `${p.namespace}|${first === undefined ? '' : `${first}=${p.selector!.matchLabels![first]}`}`;
      addTo(this.byLabel, key, p);
    });
  }

  /** The ALLOW and DENY policies selecting `w`. */
  applying(w: Workload): readonly AuthorizationPolicyView[] {
    let found = this.applyingTo.get(w);
    if (!found) {
      const candidates = new Set([
        ...this.byLabel.get(`${w.namespace}|`) ?? [],
        ...Object.entries(w.labels).flatMap(([k, v]) => this.byLabel.get(`${w.namespace}|${k}=${v}`) ?? []),
      ]);
      found = [...candidates].sort((a, b) => this.position.get(a)! - this.position.get(b)!)
        .filter((p) => !p.targeted && (p.action === 'ALLOW' || p.action === 'DENY') && (p.selector === undefined || selects(p.selector, w.labels)));
      this.applyingTo.set(w, found);
    }
    return found;
  }

  verdict(id: Identity, destination: Workload): AuthorizationVerdict {
    const applying = this.applying(destination);
    let denied = Connections.NONE;
    const denying: AuthorizationRule[] = [];
    let allowed = Connections.NONE;
    const allowing: AuthorizationRule[] = [];
    let anyAllowPolicy = false;
    for (const p of applying) {
      if (p.action === 'ALLOW') anyAllowPolicy = true;
      for (const rule of p.rules) {
        const ports = ruleConnections(rule, id);
        if (ports.isEmpty()) continue;
        if (p.action === 'ALLOW') {
          allowed = allowed.union(ports);
          allowing.push(rule);
        } else if (unconditional(rule)) {
          denied = denied.union(ports);
          denying.push(rule);
        }
      }
    }
    const connections = (anyAllowPolicy ? allowed : Connections.protocol('TCP')).subtract(denied);
    return { connections, applying, allowing, denying };
  }

  /**
   * The principals that some ALLOW rule applying to `destination` names, or `all` when a rule
   * allows by pattern, namespace or not by identity at all (or no ALLOW policy applies).
   */
  candidates(destination: Workload): 'all' | ReadonlySet<string> {
    const applying = this.applying(destination);
    if (!applying.some((p) => p.action === 'ALLOW')) return 'all';
    const named = new Set<string>();
    for (const p of applying) {
      if (p.action !== 'ALLOW') continue;
      for (const rule of p.rules) {
        for (const s of rule.from ?? [{ other: false }]) {
          if (!s.principals || s.principals.some((x) => x.includes('*'))) return 'all';
          for (const x of s.principals) named.add(x);
        }
      }
    }
    return named;
  }
}
