import { ImageError } from '../errors.js';
import { checkRgbImage, type RgbImage } from './rgb-image.js';

/** `image` enlarged `factor` times by repeating pixels (for showing latent-sized previews at image size). */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  checkRgbImage(image, 'upscaleNearest');
  if (!Number.isSafeInteger(factor) || factor < 1) throw new ImageError(`upscaleNearest: factor must be a positive integer, got ${factor}.`);
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const from = (sy * image.width + Math.floor(x / factor)) * 3;
      const to = (y * width + x) * 3;
      data[to] = image.data[from]!;
      data[to + 1] = image.data[from + 1]!;
      data[to + 2] = image.data[from + 2]!;
    }
  }
  return { width, height, data };
}
