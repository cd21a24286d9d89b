import { readYamlDocuments, yamlLibrary } from '../util/fast-yaml';

/**
 * Finds literal key material: a private key in PEM form, a base64 string of exactly 16 or 32
 * bytes (an AES key), or an encryption provider key that is not a `${VARIABLE}` placeholder.
 * dist/ is committed, so any of these there is a leaked secret.
 */

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** Every string PEM_PRIVATE_KEY matches contains this. */
const PEM_MARK = 'PRIVATE KEY-----';
/** 32 bytes (AES-256, 44 characters) and 16 bytes (AES-128, 24 characters) in padded base64. */
const AES_KEY = /^(?:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/]{21}[AQgw]==)$/;
const PLACEHOLDER = /^\$\{[A-Z][A-Z0-9_]*\}$/;
const KEYED_PROVIDERS = new Set(['aescbc', 'aesgcm', 'secretbox']);

/** A string that one of the patterns may match (the tests that cost nothing come first). */
function suspectString(v: string): boolean {
  // 24 characters: the shortest key material (AES-128 in base64); PEM keys are longer.
  return v.length >= 24 && (v.includes(PEM_MARK) || ((v.length === 24 || v.length === 44) && AES_KEY.test(v)));
}

/** A key naming a keyed encryption provider (aescbc, aesgcm: 6 characters; secretbox: 9). */
function providerKey(k: string): boolean {
  return (k.length === 6 || k.length === 9) && KEYED_PROVIDERS.has(k);
}

/**
 * Whether `v` holds anything findKeyMaterialInValue could report: one walk without paths or
 * messages, so that the common case (nothing there) costs only the walk.
 */
function mayHoldKeyMaterial(v: unknown): boolean {
  if (typeof v === 'string') return suspectString(v);
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (mayHoldKeyMaterial(v[i])) return true;
    return false;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (providerKey(keys[i]) || mayHoldKeyMaterial((v as Record<string, unknown>)[keys[i]])) return true;
  }
  return false;
}

/** Problems in one JSON value; `at` is the path so far, for messages. */
export function findKeyMaterialInValue(value: unknown, at = ''): string[] {
  // Runs on every synthesized object: most hold nothing, which one plain walk shows.
  if (!mayHoldKeyMaterial(value)) return [];
  // The path is a stack of keys, joined only for a finding.
  const found: string[] = [];
  const keys: (string | number)[] = [];
  const where = (): string => at + keys.map((k) => `/${k}`).join('');
  const walk = (v: unknown, provider: string | undefined): void => {
    if (typeof v === 'string') {
      const suspect = suspectString(v);
      if (suspect && PEM_PRIVATE_KEY.test(v)) found.push(`${where() || '/'}: a PEM private key`);
      else if (suspect && AES_KEY.test(v)) found.push(`${where() || '/'}: a base64 string of an AES key's length`);
      else if (provider && keys[keys.length - 1] === 'secret' && !PLACEHOLDER.test(v)) {
        found.push(`${where()}: ${provider} key material is not a \${VARIABLE} placeholder`);
      }
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        walk(v[i], provider);
        keys.pop();
      }
      return;
    }
    for (const k of Object.keys(v)) {
      keys.push(k);
      walk((v as Record<string, unknown>)[k], providerKey(k) ? k : provider);
      keys.pop();
    }
  };
  walk(value, undefined);
  return found;
}

/** Problems in a YAML (or any text) file. */
export function findKeyMaterial(text: string): string[] {
  const found: string[] = [];
  if (PEM_PRIVATE_KEY.test(text)) found.push('a PEM private key');
  const docs = readYamlDocuments(text);
  // A text with a broken document: look into the documents that do parse.
  const values = 'values' in docs ? docs.values : yamlLibrary().parseAllDocuments(text).filter((d) => d.errors.length === 0).map((d) => d.toJS());
  for (const value of values) found.push(...findKeyMaterialInValue(value).filter((f) => !f.endsWith('a PEM private key')));
  return found;
}
