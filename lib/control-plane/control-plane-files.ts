import { findKeyMaterial } from '../manifest/key-material';
import { JsonValue, toYaml } from '../manifest/yaml-emitter';
import { PlatformModel } from '../model/platform-model';
import { auditPolicy } from './audit-policy';
import { encryptionConfiguration } from './encryption-config';

const header = (flag: string): string =>
  `# kube-apiserver ${flag}=<this file>\n# API server configuration, not a cluster object: never packaged, never applied with kubectl.\n`;

/**
 * dist/<env>/control-plane/: the files the API server of the environment's cluster starts with.
 * Throws if one would hold key material (never expected: keys are placeholders).
 */
export function controlPlaneFiles(model: PlatformModel): Map<string, string> {
  const files = new Map<string, string>([
    ['audit-policy.yaml', header('--audit-policy-file') + toYaml(auditPolicy() as JsonValue)],
    [
      'encryption-config.yaml',
      header('--encryption-provider-config') + toYaml(encryptionConfiguration(model.environment, model.controlPlane.encryption) as JsonValue),
    ],
  ]);
  for (const [name, text] of files) {
    const found = findKeyMaterial(text);
    if (found.length > 0) throw new Error(`control-plane: ${model.environment}/${name} would hold key material: ${found.join('; ')}`);
  }
  return files;
}
