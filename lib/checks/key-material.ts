import { findKeyMaterialInValue } from '../manifest/key-material';
import { at, Check } from './check';

/** `/spec/items/0/key` → `spec.items[0].key`. */
function jsonPath(pointer: string): string {
  return pointer.split('/').filter((k) => k !== '').map((k, i) => (/^[0-9]+$/.test(k) ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

export const noKeyMaterial: Check = {
  id: 'no-key-material',
  title: 'No key material',
  description: 'No object carries literal key material: no PEM private key, no AES-key-sized base64 string, '
    + 'no encryption key that is not a ${VARIABLE} placeholder.',
  severity: 'error',
  profile: 'generic',
  controls: ['nsa/secrets', 'cis/5.4.2'],
  remediation: 'Keep keys in the secret store and reference them; encryption configuration takes a ${VARIABLE} placeholder.',
  inspect(object) {
    return findKeyMaterialInValue(object).map((text) => {
      const colon = text.indexOf(': ');
      return at(jsonPath(text.slice(0, colon)), text.slice(colon + 2));
    });
  },
};
