import { readYamlDocuments, yamlLibrary } from '../config/fast-yaml';

/**
 * Finds literal key material: a private key in PEM form, a base64 string of exactly 16 or 32
 * bytes (an AES key), or an encryption provider key that is not a `${VARIABLE}` placeholder.
 * dist/ is committed, so any of these there is a leaked secret.
 */

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** 32 bytes (AES-256) and 16 bytes (AES-128) in padded base64. */
const AES_KEY = /^(?:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/]{21}[AQgw]==)$/;
const PLACEHOLDER = /^\$\{[A-Z][A-Z0-9_]*\}$/;
const KEYED_PROVIDERS = new Set(['aescbc', 'aesgcm', 'secretbox']);

/** Problems in one JSON value; `at` is the path so far, for messages. */
export function findKeyMaterialInValue(value: unknown, at = ''): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string, provider?: string): void => {
    if (typeof v === 'string') {
      if (PEM_PRIVATE_KEY.test(v)) found.push(`${path || '/'}: a PEM private key`);
      else if (AES_KEY.test(v)) found.push(`${path || '/'}: a base64 string of an AES key's length`);
      else if (provider && path.endsWith('/secret') && !PLACEHOLDER.test(v)) found.push(`${path}: ${provider} key material is not a \${VARIABLE} placeholder`);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}/${i}`, provider));
      return;
    }
    if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) walk(child, `${path}/${k}`, KEYED_PROVIDERS.has(k) ? k : provider);
    }
  };
  walk(value, at);
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
