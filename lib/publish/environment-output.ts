/**
 * What one environment of a synthesized tree publishes, selected by output kind: its `object` and
 * `kustomization` files into its path, its `gitops` files into the bootstrap path. API-server
 * files, reports and packages are not cluster objects of the environment and stay out.
 */
import * as fs from 'fs';
import { isKubeObject, outputFiles, parseYamlDocuments } from '../manifest/manifest-reader';
import { OUTPUT_FOLDERS } from '../manifest/output-kind';
import { TreeEntry } from '../util/git';
import { BootstrapBlob, EnvironmentOutput, PublishedBlob } from './dist-branch';
import { PublishError } from './source';

export interface EnvironmentOutputOptions {
  readonly environment: string;
  /** The environment's folder on disk (`<root>/dist/<env>`). */
  readonly envDir: string;
  /** The same folder from the top of the repository's tree (`dist/<env>`). */
  readonly treePath: string;
  /** The committed files (from the top of the tree) with their blobs: the publish takes HEAD's bytes. */
  readonly committed: ReadonlyMap<string, TreeEntry>;
  /** The commands that reproduce the environment's files. */
  readonly commands: readonly string[];
}

export function environmentOutput(options: EnvironmentOutputOptions): EnvironmentOutput {
  const { envDir, treePath, committed } = options;
  const blob = (rel: string): TreeEntry => {
    const entry = committed.get(`${treePath}/${rel}`);
    if (entry === undefined) {
      throw new PublishError(`cannot publish: ${treePath}/${rel} is not committed (a .gitignore pattern matches it?); the dist branch `
        + 'takes the files of the commit: commit it (git add -f), then publish');
    }
    return entry;
  };
  const manifests: PublishedBlob[] = outputFiles(envDir, ['object', 'kustomization']).map((f) => {
    const { mode, sha } = blob(f.rel);
    return { rel: f.rel, mode, sha };
  });
  const bootstrap: BootstrapBlob[] = outputFiles(envDir, ['gitops']).map((f) => {
    const { mode, sha } = blob(f.rel);
    const doc = parseYamlDocuments(fs.readFileSync(f.path, 'utf8'), f.path).find(isKubeObject);
    if (doc === undefined) {
      throw new PublishError(`cannot publish: ${treePath}/${f.rel} holds no Kubernetes object: run make synth, commit, then publish`);
    }
    return { rel: f.rel.slice(OUTPUT_FOLDERS.gitops.length + 1), mode, sha, kind: doc.kind };
  });
  return { environment: options.environment, manifests, bootstrap, commands: options.commands };
}
