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
