/**
 * Which files of a training folder are images and which are masks, decided by name alone (the
 * content is checked when the file is decoded). Extensions compare case-insensitively, so photos
 * straight off a camera (`IMG_0001.JPG`) count.
 */

/** Extensions of training images. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Name endings of masks: `<stem>.mask.png` is the mask of the image `<stem>.png|.jpg|.jpeg`. */
export const MASK_SUFFIXES = IMAGE_EXTENSIONS.map((extension) => `.mask${extension}`);

/** What a file name is to the training folder, with the stem that pairs an image with its mask. */
export type FileKind = { readonly kind: 'image' | 'mask'; readonly stem: string } | undefined;

/** Classifies `name`; hidden files (leading dot) and other extensions give `undefined`. */
export function fileKind(name: string): FileKind {
  if (name.startsWith('.')) return undefined;
  const lower = name.toLowerCase();
  const mask = MASK_SUFFIXES.find((suffix) => lower.endsWith(suffix));
  if (mask !== undefined) return { kind: 'mask', stem: name.slice(0, -mask.length) };
  const image = IMAGE_EXTENSIONS.find((extension) => lower.endsWith(extension));
  // The leading-dot check above means a stem is never empty here.
  return image === undefined ? undefined : { kind: 'image', stem: name.slice(0, -image.length) };
}
