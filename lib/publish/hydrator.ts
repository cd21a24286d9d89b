/**
 * The files of Argo CD's source hydrator, byte for byte where Argo CD fixes them, so that the
 * dist branch reads like one Argo CD's commit server wrote (argoproj/argo-cd v3.5,
 * commitserver/commit/hydratorhelper.go, util/hydrator/hydrator.go, util/git/client.go and
 * util/settings/settings.go):
 *
 * - `hydrator.metadata`: `HydratorCommitMetadata` through Go's `json.Encoder` with
 *   `SetIndent("", "  ")` and `SetEscapeHTML(false)`: keys in the struct's order (`repoURL`,
 *   `drySha`, `commands`, `author`, `date`, `subject`, `body`, `references`), empty ones left out
 *   (`omitempty`), two-space indentation, a final newline. At the root it describes the source
 *   (dry) commit (`GetCommitMetadata`: no `commands`); in each path, `repoURL`, `drySha` and the
 *   `commands` that reproduce it.
 * - `README.md`: `DefaultManifestHydrationReadmeTemplate` rendered for a path (whose metadata
 *   has no references), after a first line that says it is generated.
 * - `.gitattributes`: `gitAttributesContents`, plus the kustomizations (this layout's own
 *   generated files); the manifests stay diffable, as Argo CD leaves them, so that a promotion
 *   pull request shows them.
 * - the commit message: `CommitMessageTemplate`'s parts (short source hash and subject, the body,
 *   `Co-authored-by` trailers), without the blank lines the template leaves around an empty range.
 */

/** The source commit the output was rendered from: what Argo CD calls the dry commit. */
export interface SourceCommit {
  /** Full hash. */
  readonly sha: string;
  /** `Name <email>` (`git show -s --format='%an <%ae>'`). */
  readonly author: string;
  /** Author date in seconds since the epoch (`%at`). */
  readonly authorTime: number;
  /** The whole message, surrounding whitespace trimmed (`%B`, as Argo CD's RevisionMetadata). */
  readonly message: string;
  /** The message's trailers, one `Key: value` a line (`git interpret-trailers --parse`). */
  readonly trailers: string;
}

/** A commit related to the source commit, named in its `Argocd-reference-commit-*` trailers. */
export interface CommitReference {
  readonly author?: string;
  readonly date?: string;
  readonly subject?: string;
  readonly body?: string;
  readonly sha?: string;
  readonly repoUrl?: string;
}

/** Argo CD's `HydratorCommitMetadata` (util/hydrator/hydrator.go), in its field order. */
export interface HydratorMetadata {
  readonly repoURL?: string;
  readonly drySha?: string;
  readonly commands?: readonly string[];
  readonly author?: string;
  /** RFC 3339, UTC. */
  readonly date?: string;
  /** The message up to its first blank line. */
  readonly subject?: string;
  /** The rest of the message, without the reference trailers; each line ends in a newline. */
  readonly body?: string;
  readonly references?: readonly { readonly commit: CommitReference }[];
}

/** The root `hydrator.metadata`: the source commit (Argo CD's `GetCommitMetadata`). */
export function sourceMetadata(repoURL: string, source: SourceCommit): HydratorMetadata {
  const cut = source.message.indexOf('\n\n');
  const subject = cut === -1 ? source.message : source.message.slice(0, cut);
  const body = cut === -1 ? '' : source.message.slice(cut + 2);
  const reference = referenceOf(source.trailers.split('\n'));
  return {
    repoURL,
    drySha: source.sha,
    author: source.author,
    // Argo CD formats the author time in the controller's zone, UTC in its images.
    date: new Date(source.authorTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    subject,
    body: scanLines(body).filter((line) => referenceField(line) === undefined).map((line) => `${line}\n`).join(''),
    references: reference === undefined ? undefined : [{ commit: reference }],
  };
}

/** The `hydrator.metadata` of one path: where it came from and how to reproduce it. */
export function pathMetadata(repoURL: string, drySha: string, commands: readonly string[]): HydratorMetadata {
  return { repoURL, drySha, commands };
}

/** `hydrator.metadata` text: Go's json.Encoder output for the struct (see the file comment). */
export function metadataText(metadata: HydratorMetadata): string {
  const { repoURL, drySha, commands, author, date, subject, body, references } = metadata;
  const ordered = { repoURL, drySha, commands, author, date, subject, body, references };
  const json = JSON.stringify(ordered, (_key, value: unknown) => (isEmpty(value) ? undefined : value), 2);
  // Go escapes the two JavaScript line terminators even without HTML escaping.
  return `${json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}\n`;
}

/** `omitempty`: empty strings and lists are left out. */
function isEmpty(value: unknown): boolean {
  return value === '' || (Array.isArray(value) && value.length === 0);
}

/** The `README.md` of a path: how it was produced, and from which commit. */
export function readmeText(metadata: HydratorMetadata, generator: string): string {
  const commands = (metadata.commands ?? []).map((c) => `${c}\n`).join('');
  return `<!-- Generated by ${generator} from ${metadata.drySha ?? ''}: do not edit. -->\n`
    + '# Manifest Hydration\n'
    + '\n'
    + 'To hydrate the manifests in this repository, run the following commands:\n'
    + '\n'
    + '```shell\n'
    + `git clone ${metadata.repoURL ?? ''}\n`
    + '# cd into the cloned directory\n'
    + `git checkout ${metadata.drySha ?? ''}\n`
    + `${commands}`
    + '```\n';
}

/** The root `.gitattributes`: the generated files, as `linguist-generated`. */
export const GITATTRIBUTES = '**/README.md linguist-generated=true\n'
  + '**/hydrator.metadata linguist-generated=true\n'
  + '**/kustomization.yaml linguist-generated=true\n';

/**
 * The message of a dist commit: `<short sha>: <subject>` (as Argo CD's template), the source
 * commit in full, the body, and each author as a `Co-authored-by` trailer.
 */
export function commitMessage(metadata: HydratorMetadata, generator: string): string {
  const sha = metadata.drySha ?? '';
  const authors = [...(metadata.references ?? []).map((r) => r.commit.author), metadata.author]
    .filter((a): a is string => a !== undefined && a !== '');
  const body = (metadata.body ?? '').trim();
  return [
    `${sha.slice(0, 7)}: ${(metadata.subject ?? '').replace(/\n/g, ' ')}`,
    '',
    `Rendered by ${generator} from ${sha}.`,
    ...(body === '' ? [] : ['', body]),
    ...(authors.length === 0 ? [] : ['', ...[...new Set(authors)].map((a) => `Co-authored-by: ${a}`)]),
    '',
  ].join('\n');
}

/** Lines as Go's bufio.Scanner gives them: split at `\n`, a final `\r` dropped, no empty last line. */
function scanLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/**
 * The reference that `Argocd-reference-commit-*` trailers describe (util/git/client.go,
 * GetReferences): each trailer with a valid value sets one field; none, no reference.
 */
function referenceOf(lines: readonly string[]): CommitReference | undefined {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const field = referenceField(line);
    if (field !== undefined) fields[field[0]] = field[1];
  }
  if (Object.keys(fields).length === 0) return undefined;
  const { author, date, subject, body, sha, repoUrl } = fields;
  return { author, date, subject, body, sha, repoUrl };
}

/**
 * The field a line sets when it is a valid `Argocd-reference-commit-<field>: <value>` trailer.
 * The checks are Argo CD's: an RFC 5322 author (kept as written, where Go re-quotes an unusual
 * name), an RFC 3339 date (normalized as Go prints it), a JSON string body, a 5 to 40 digit
 * lowercase hash; the repository URL is not checked (Go's url.Parse takes nearly anything).
 */
function referenceField(line: string): [keyof CommitReference, string] | undefined {
  const m = /^Argocd-reference-commit-([a-z]+): (.*)$/.exec(line);
  if (m === null) return undefined;
  const value = m[2];
  switch (m[1]) {
    case 'repourl':
      return ['repoUrl', value];
    case 'author':
      return /^([^<>]*<)?[^<>\s@]+@[^<>\s@]+>?$/.test(value) && value.includes('<') === value.endsWith('>') ? ['author', value] : undefined;
    case 'date': {
      const d = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(value);
      if (d === null || Number.isNaN(Date.parse(value))) return undefined;
      return ['date', `${d[1]}${d[3] === '+00:00' || d[3] === '-00:00' ? 'Z' : d[3]}`];
    }
    case 'subject':
      return ['subject', value];
    case 'body':
      try {
        const body: unknown = JSON.parse(value);
        return typeof body === 'string' ? ['body', body] : undefined;
      } catch {
        return undefined;
      }
    case 'sha':
      return /^[0-9a-f]{5,40}$/.test(value) ? ['sha', value] : undefined;
    default:
      return undefined;
  }
}
