import { checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { TrainingDataOptionError } from './errors.js';
import { resampleRegion, type Region } from './resample.js';

/**
 * The largest centred square of a `width` × `height` picture. An odd margin leaves the extra pixel
 * on the right or bottom: offsets are floor((size − side) / 2), as diffusers' textual-inversion
 * script crops.
 */
export function centerSquare(width: number, height: number): Region {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

/**
 * `image` centre-cropped to a square and resized to `resolution` × `resolution`: area averaging
 * when shrinking (every source pixel counts, so no aliasing), bilinear when enlarging; channel
 * values rounded half up. Exact integer arithmetic, so the bytes are the same on every machine.
 */
export function prepareImage(image: RgbImage, resolution: number): RgbImage {
  checkRgbImage(image, 'prepareImage');
  checkResolution(resolution);
  const square = resampleRegion({ ...image, channels: 3 }, centerSquare(image.width, image.height), resolution, resolution);
  const data = new Uint8Array(square.length);
  for (let i = 0; i < square.length; i++) data[i] = Math.min(255, Math.round(square[i]!));
  return { width: resolution, height: resolution, data };
}

/** `image` mirrored left to right (a new image). */
export function flipHorizontal(image: RgbImage): RgbImage {
  checkRgbImage(image, 'flipHorizontal');
  return { width: image.width, height: image.height, data: mirrorRows(image.data, image.width, image.height, 3) };
}

/** Rows of `channels`-interleaved samples reversed pixel by pixel. */
export function mirrorRows<T extends Uint8Array | Float32Array>(data: T, width: number, height: number, channels: number): T {
  const out = data.slice() as T;
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const from = row + (width - 1 - x) * channels;
      const to = row + x * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c]!;
    }
  }
  return out;
}

/** Throws {@link TrainingDataOptionError} unless `resolution` is a positive integer. */
export function checkResolution(resolution: number, name = 'resolution'): void {
  if (!Number.isSafeInteger(resolution) || resolution <= 0) {
    throw new TrainingDataOptionError(`${name} must be a positive integer number of pixels, got ${String(resolution)}.`);
  }
}
