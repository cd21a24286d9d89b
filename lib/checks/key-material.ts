import { findKeyMaterialInValue } from '../manifest/key-material';
import { Check } from './check';

export const noKeyMaterial: Check = {
  id: 'no-key-material',
  description: 'No object carries literal key material: no PEM private key, no AES-key-sized base64 string, '
    + 'no encryption key that is not a ${VARIABLE} placeholder.',
  severity: 'error',
  inspect(object) {
    return findKeyMaterialInValue(object);
  },
};
