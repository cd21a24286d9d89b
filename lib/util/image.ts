/**
 * What "pinned" means for an image, once, for every place that judges it: the overlay schema, the
 * workload construct, the synth check, and the Rego and CEL of the cluster-time rule (which take
 * the patterns as text).
 */

/** A sha256 digest at the end of the reference. */
export const PINNED_DIGEST_PATTERN = '@sha256:[a-f0-9]{64}$';
/** A tag at the end of the last path segment (a registry port is not a tag: it is followed by `/`). */
export const PINNED_TAG_PATTERN = ':[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
/** The tag that names no release. */
export const FLOATING_TAG = 'latest';

const DIGEST = new RegExp(PINNED_DIGEST_PATTERN);
const TAG = new RegExp(PINNED_TAG_PATTERN);

/** Whether `image` names a release: a tag other than `latest`, or a sha256 digest. */
export function isPinnedImage(image: string): boolean {
  return DIGEST.test(image) || (TAG.test(image) && !image.endsWith(`:${FLOATING_TAG}`));
}

/** The tag of the last path segment (`''` for a trailing colon), or undefined when there is none or a digest pins it. */
export function imageTag(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}
