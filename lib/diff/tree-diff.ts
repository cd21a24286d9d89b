/**
 * What changed in one environment between two renderings of it (a commit's and the working
 * tree's): cluster objects compared by identity as parsed data, so that a moved file or a
 * re-ordered key is no change, and the few files that are not objects compared as text.
 */
import { KubeObject, objectRef } from '../manifest/kube-object';
import { isKubeObject } from '../manifest/manifest-reader';
import { OutputKind, outputKindOf } from '../manifest/output-kind';
import { JsonValue, toYaml } from '../manifest/yaml-emitter';
import { readYamlDocuments } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';
import { unifiedHunks } from './line-diff';

/** One side of the diff of an environment: its files, and where they are. */
export interface EnvironmentSide {
  /**
   * Files by their path in the environment's folder of a synthesized tree (`backend/service-backend.yaml`,
   * `argocd/appproject-bulwark-dev.yaml`, `kustomization.yaml`): the path decides the kind.
   */
  readonly files: ReadonlyMap<string, string>;
  /** Where the file at `rel` is, as the output shows it: `HEAD:dist/dev/backend/service-backend.yaml`. */
  readonly where: (rel: string) => string;
  /** The kinds of file this side can hold: the dist branch holds no `api-server` or `report` files. */
  readonly kinds: readonly OutputKind[];
}

/** Kinds whose files are cluster objects, compared as objects. */
export const OBJECT_KINDS: readonly OutputKind[] = ['object', 'gitops'];
/** Kinds compared as text, where both sides can hold them (`package` never is: it is built, not reviewed). */
export const TEXT_KINDS: readonly OutputKind[] = ['kustomization', 'api-server', 'report'];

/** An object of one side: how it is named (`Kind/namespace/name`) and where it is. */
export interface ObjectEntry {
  readonly ref: string;
  readonly where: string;
}

/** An object on both sides, different. */
export interface ChangedObject {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  /** The unified diff of its YAML (each side emitted the same way), hunks only. */
  readonly hunks: readonly string[];
}

/** A file compared as text (a kustomization, an API-server file). */
export interface ChangedFile {
  readonly status: 'added' | 'removed' | 'changed';
  /** Path in the environment's folder. */
  readonly rel: string;
  /** Where it was and is; each undefined when it was added or removed. */
  readonly before?: string;
  readonly after?: string;
  /** The unified diff of a changed file (empty for one added or removed), hunks only. */
  readonly hunks: readonly string[];
}

export interface EnvironmentDiff {
  readonly environment: string;
  /** Sorted by ref. */
  readonly added: readonly ObjectEntry[];
  readonly removed: readonly ObjectEntry[];
  readonly changed: readonly ChangedObject[];
  /** Sorted by path. */
  readonly files: readonly ChangedFile[];
}

export function hasDifferences(d: EnvironmentDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.files.length > 0;
}

/** The lines a set of hunks adds and removes. */
export function lineCounts(hunks: readonly string[]): { readonly added: number; readonly removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of hunks) {
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

/** What changed in `environment` from `before` to `after`. */
export function diffEnvironment(environment: string, before: EnvironmentSide, after: EnvironmentSide): EnvironmentDiff {
  const old = objectsOf(before);
  const now = objectsOf(after);
  const entry = (o: Located): ObjectEntry => ({ ref: objectRef(o.object), where: o.where });
  const added = [...now].filter(([id]) => !old.has(id)).map(([, o]) => entry(o));
  const removed = [...old].filter(([id]) => !now.has(id)).map(([, o]) => entry(o));
  const changed: ChangedObject[] = [];
  for (const [id, o] of now) {
    const was = old.get(id);
    if (was === undefined || sameValue(was.object, o.object)) continue;
    const hunks = unifiedHunks(toYaml(was.object as unknown as JsonValue), toYaml(o.object as unknown as JsonValue));
    changed.push({ ref: objectRef(o.object), before: was.where, after: o.where, hunks });
  }
  const byRef = (a: { ref: string }, b: { ref: string }): number => byCodePoint(a.ref, b.ref);
  return { environment, added: added.sort(byRef), removed: removed.sort(byRef), changed: changed.sort(byRef), files: textChanges(before, after) };
}

interface Located {
  readonly object: KubeObject;
  readonly where: string;
}

/**
 * The identity of an object in a cluster: API group, kind, namespace and name (a new apiVersion of
 * the same group is the same object, changed).
 */
function identity(o: KubeObject): string {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  return [group, o.kind, o.metadata.namespace ?? '', o.metadata.name].join('\0');
}

/** Every cluster object of a side, by identity; throws on a file that is not YAML of objects, or on an object twice. */
function objectsOf(side: EnvironmentSide): Map<string, Located> {
  const objects = new Map<string, Located>();
  for (const [rel, text] of side.files) {
    const kind = outputKindOf(rel);
    if (kind === undefined || !OBJECT_KINDS.includes(kind) || !side.kinds.includes(kind)) continue;
    const where = side.where(rel);
    const read = readYamlDocuments(text);
    if ('error' in read) throw new Error(`${where}: not YAML: ${read.error}`);
    read.values.forEach((doc, i) => {
      if (doc === null || doc === undefined) return;
      if (!isKubeObject(doc)) throw new Error(`${where}: document ${i} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
      const id = identity(doc);
      const seen = objects.get(id);
      if (seen !== undefined) throw new Error(`${where}: ${objectRef(doc)} is also in ${seen.where}`);
      objects.set(id, { object: doc, where });
    });
  }
  return objects;
}

/** The files both sides can hold that are compared as text, added, removed or changed. */
function textChanges(before: EnvironmentSide, after: EnvironmentSide): ChangedFile[] {
  const compared = (side: EnvironmentSide, other: EnvironmentSide): string[] => [...side.files.keys()].filter((rel) => {
    const kind = outputKindOf(rel);
    return kind !== undefined && TEXT_KINDS.includes(kind) && side.kinds.includes(kind) && other.kinds.includes(kind);
  });
  const paths = [...new Set([...compared(before, after), ...compared(after, before)])].sort(byCodePoint);
  return paths.flatMap((rel): ChangedFile[] => {
    const was = before.files.get(rel);
    const now = after.files.get(rel);
    if (was === now) return [];
    const status = was === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
    return [{
      status,
      rel,
      before: was === undefined ? undefined : before.where(rel),
      after: now === undefined ? undefined : after.where(rel),
      hunks: was === undefined || now === undefined ? [] : unifiedHunks(was, now),
    }];
  });
}

/** Equal as data: mappings regardless of key order, lists in order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(b).length && ka.every((k) => k in rb && sameValue((a as Record<string, unknown>)[k], rb[k]));
}
