import { checkRgbImage, type RgbImage } from '@perfusion/encoders';
import { TrainingDataOptionError } from './errors.js';
import { centerSquare, checkResolution, mirrorRows } from './prepare-image.js';
import { resampleRegion } from './resample.js';

/**
 * A concept mask from its image: per pixel the brightest channel, max(R, G, B) / 255, so white,
 * or any bright colour painted on black, marks the concept (1) and black the background (0).
 * The image is centre-cropped and resized exactly like its training image by
 * `prepareImage`, and the result is a `resolution` × `resolution` Float32Array in [0, 1],
 * rows top to bottom.
 */
export function prepareMask(maskImage: RgbImage, resolution: number): Float32Array {
  checkRgbImage(maskImage, 'prepareMask');
  checkResolution(resolution);
  const { width, height, data } = maskImage;
  const brightest = new Uint8Array(width * height);
  for (let p = 0; p < brightest.length; p++) brightest[p] = Math.max(data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!);
  const square = resampleRegion({ width, height, channels: 1, data: brightest }, centerSquare(width, height), resolution, resolution);
  const mask = new Float32Array(square.length);
  for (let i = 0; i < square.length; i++) mask[i] = Math.min(1, square[i]! / 255);
  return mask;
}

/**
 * A `resolution` × `resolution` mask shrunk by `factor` to the latent grid (8 for Stable
 * Diffusion's VAE): each latent cell is the mean of its `factor` × `factor` pixels, so a cell half
 * covered by the concept weighs ½ in a masked loss.
 */
export function downsampleMask(mask: Float32Array, resolution: number, factor: number): Float32Array {
  checkResolution(resolution);
  checkResolution(factor, 'factor');
  if (resolution % factor !== 0) {
    throw new TrainingDataOptionError(`resolution ${resolution} is not a multiple of the latent factor ${factor}; choose a resolution divisible by ${factor}.`);
  }
  if (mask.length !== resolution * resolution) {
    throw new TrainingDataOptionError(`downsampleMask: a ${resolution} × ${resolution} mask has ${resolution * resolution} values, but this one has ${mask.length}.`);
  }
  const side = resolution / factor;
  const region = { left: 0, top: 0, width: resolution, height: resolution };
  return Float32Array.from(resampleRegion({ width: resolution, height: resolution, channels: 1, data: mask }, region, side, side));
}

/** A square `size` × `size` mask mirrored left to right, to go with `flipHorizontal`'s image. */
export function flipMaskHorizontal(mask: Float32Array, size: number): Float32Array {
  if (mask.length !== size * size) {
    throw new TrainingDataOptionError(`flipMaskHorizontal: a ${size} × ${size} mask has ${size * size} values, but this one has ${mask.length}.`);
  }
  return mirrorRows(mask, size, size, 1);
}
