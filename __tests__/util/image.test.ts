import { imageTag, isPinnedImage, PINNED_DIGEST_PATTERN, PINNED_TAG_PATTERN } from '../../lib/util/image';

const DIGEST = `@sha256:${'a'.repeat(64)}`;

describe('the pinned-image rule', () => {
  test.each([
    ['ghcr.io/org/app:1.2.3', true],
    [`ghcr.io/org/app${DIGEST}`, true],
    [`ghcr.io/org/app:1.2.3${DIGEST}`, true],
    ['registry:5000/app:v1', true],
    ['ghcr.io/org/app', false],
    ['registry:5000/app', false],
    ['ghcr.io/org/app:latest', false],
    ['ghcr.io/org/app:', false],
  ])('%s pinned: %s', (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
  });

  test('the patterns the Rego and CEL take say the same as isPinnedImage', () => {
    const digest = new RegExp(PINNED_DIGEST_PATTERN);
    const tag = new RegExp(PINNED_TAG_PATTERN);
    for (const image of ['ghcr.io/org/app:1.2.3', `app${DIGEST}`, 'registry:5000/app', 'app:latest', 'app']) {
      expect(digest.test(image) || (tag.test(image) && !image.endsWith(':latest'))).toBe(isPinnedImage(image));
    }
  });

  test.each([
    ['ghcr.io/org/app:1.2.3', '1.2.3'],
    ['registry:5000/app', undefined],
    ['app:', ''],
    [`app${DIGEST}`, undefined],
  ])('the tag of %s is %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});
