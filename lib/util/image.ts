/** A tag at the end of the last path segment, or a sha256 digest: what "pinned" means everywhere. */
const PINNED = /(@sha256:[a-f0-9]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/** Whether `image` names a release: a tag other than `latest`, or a sha256 digest. */
export function isPinnedImage(image: string): boolean {
  return PINNED.test(image.slice(image.lastIndexOf('/') + 1)) && !image.endsWith(':latest');
}
