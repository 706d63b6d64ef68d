import { ImageError } from '../errors.js';

/** An 8-bit RGB image: 3 bytes per pixel (red, green, blue), rows top to bottom, no padding. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A black image of `width` × `height`, or one over `data` (no copy) when given. */
export function createRgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  const image = { width, height, data: data ?? new Uint8Array(width * height * 3) };
  checkRgbImage(image, 'createRgbImage');
  return image;
}

/** Throws {@link ImageError} unless `image` has positive integer sizes and exactly width × height × 3 bytes. */
export function checkRgbImage(image: RgbImage, where: string): void {
  if (image === null || typeof image !== 'object') throw new ImageError(`${where}: expected an RgbImage { width, height, data }, got ${String(image)}.`);
  const { width, height, data } = image;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new ImageError(`${where}: width and height must be positive integers, got ${String(width)} × ${String(height)}.`);
  }
  if (!(data instanceof Uint8Array)) throw new ImageError(`${where}: data must be a Uint8Array of RGB bytes.`);
  if (data.length !== width * height * 3) {
    throw new ImageError(`${where}: a ${width} × ${height} RGB image needs ${width * height * 3} bytes (3 per pixel), but data has ${data.length}.`);
  }
}
