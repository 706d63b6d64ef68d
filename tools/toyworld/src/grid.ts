import { createRgbImage, checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { SceneError } from './errors.js';

/** Tiles equally sized images row by row, `columns` to a row, into one image (unfilled cells stay black). */
export function tileImages(images: readonly RgbImage[], columns: number): RgbImage {
  const first = images[0];
  if (!first) throw new SceneError('tileImages: no images given; pass at least one.');
  if (!Number.isSafeInteger(columns) || columns < 1) throw new SceneError(`tileImages: columns must be a positive integer, got ${columns}.`);
  const { width, height } = first;
  const rows = Math.ceil(images.length / columns);
  const out = createRgbImage(width * columns, height * rows);
  images.forEach((image, n) => {
    checkRgbImage(image, `tileImages: images[${n}]`);
    if (image.width !== width || image.height !== height) {
      throw new SceneError(`tileImages: images[${n}] is ${image.width}×${image.height}, but images[0] is ${width}×${height}; tile images of one size.`);
    }
    const left = (n % columns) * width;
    const top = Math.floor(n / columns) * height;
    for (let y = 0; y < height; y++) {
      out.data.set(image.data.subarray(y * width * 3, (y + 1) * width * 3), ((top + y) * out.width + left) * 3);
    }
  });
  return out;
}

/**
 * The square of `side` pixels whose top-left corner is (`left`, `top`), each pixel repeated
 * `factor` times in both directions (nearest neighbour: no smoothing, so a close-up shows exactly
 * the pixels the model drew).
 */
export function enlargeRegion(image: RgbImage, left: number, top: number, side: number, factor: number): RgbImage {
  checkRgbImage(image, 'enlargeRegion: image');
  const requireInteger = (name: string, value: number, kind: 'positive' | 'non-negative'): void => {
    if (!Number.isSafeInteger(value) || value < (kind === 'positive' ? 1 : 0)) throw new SceneError(`enlargeRegion: ${name} must be a ${kind} integer, got ${value}.`);
  };
  requireInteger('left', left, 'non-negative');
  requireInteger('top', top, 'non-negative');
  requireInteger('side', side, 'positive');
  requireInteger('factor', factor, 'positive');
  if (left + side > image.width || top + side > image.height) {
    throw new SceneError(`enlargeRegion: the ${side}-pixel square at (${left}, ${top}) leaves the ${image.width}×${image.height} image; choose a region inside it.`);
  }
  const out = createRgbImage(side * factor, side * factor);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const from = ((top + Math.floor(y / factor)) * image.width + left + Math.floor(x / factor)) * 3;
      out.data.set(image.data.subarray(from, from + 3), (y * out.width + x) * 3);
    }
  }
  return out;
}
