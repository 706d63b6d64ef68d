import { createHash } from 'node:crypto';
import type { RgbImage } from '@perfusion/encoders';
import { MaskSizeError, TrainingDataOptionError } from './errors.js';
import { listTrainingImages, type TrainingImageFile } from './list-training-images.js';
import { downsampleMask, flipMaskHorizontal, prepareMask } from './mask.js';
import { checkResolution, flipHorizontal, prepareImage } from './prepare-image.js';
import { decodeTrainingImage, readImageBytes, type ReadImageOptions } from './read-training-image.js';

export interface LoadTrainingImagesOptions extends ReadImageOptions {
  /** Side of the square training images in pixels, e.g. 512 for Stable Diffusion 1.5. */
  readonly resolution: number;
  /** Also give every image mirrored left to right (default false). */
  readonly flips?: boolean;
  /** Pixels per latent cell along each side, for the masks (default 8, the SD VAE's). */
  readonly latentFactor?: number;
  /** Stops loading between images when aborted (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** One way of showing an image to the trainer: as prepared, or mirrored. */
export interface TrainingVariant {
  /** `resolution` × `resolution` RGB, ready for `tensorFromImages` and the VAE encoder. */
  readonly image: RgbImage;
  /** The concept region at latent resolution, row-major values in [0, 1]; undefined without a mask file. */
  readonly mask: Float32Array | undefined;
  readonly flipped: boolean;
}

/** One training image, prepared. */
export interface TrainingImage {
  readonly name: string;
  readonly file: string;
  /** Hex SHA-256 of the file's bytes: checkpoints compare it on resume to be sure the data is the same. */
  readonly sha256: string;
  readonly maskFile: string | undefined;
  /** Hex SHA-256 of the mask file's bytes, when there is one. */
  readonly maskSha256: string | undefined;
  /** `[as prepared]`, or `[as prepared, mirrored]` with `flips`. */
  readonly variants: readonly TrainingVariant[];
}

/** The prepared contents of a training folder. */
export interface TrainingImageSet {
  readonly folder: string;
  readonly resolution: number;
  /** Side of the masks: resolution / latentFactor. */
  readonly latentSize: number;
  /** In file-name order, as {@link listTrainingImages} gives them. */
  readonly images: readonly TrainingImage[];
  /** Files of the folder that are neither images nor masks. */
  readonly ignored: readonly string[];
}

/**
 * Lists, reads and prepares the images of a training folder (see {@link listTrainingImages}):
 * each one centre-cropped and resized to `resolution` (`prepareImage`), its mask, if any, brought
 * to the latent grid, plus mirrored copies with `flips`. Images are read one at a time, so memory
 * holds one full-size decode besides the prepared set.
 * Also throws what {@link listTrainingImages} and `readTrainingImage` throw.
 * @throws TrainingDataOptionError for a bad resolution or latent factor (checked first).
 * @throws MaskSizeError when a mask's size differs from its image's.
 */
export async function loadTrainingImages(dir: string, options: LoadTrainingImagesOptions): Promise<TrainingImageSet> {
  const { resolution, flips = false, latentFactor = 8, signal } = options;
  checkResolution(resolution);
  checkResolution(latentFactor, 'latentFactor');
  if (resolution % latentFactor !== 0) {
    throw new TrainingDataOptionError(`resolution ${resolution} is not a multiple of the latent factor ${latentFactor}; choose a multiple of ${latentFactor} (512 for SD 1.5).`);
  }
  signal?.throwIfAborted();
  const { folder, images: files, ignored } = await listTrainingImages(dir);
  const images: TrainingImage[] = [];
  for (const file of files) {
    signal?.throwIfAborted();
    images.push(await loadOne(file, options, resolution, latentFactor, flips));
  }
  return { folder, resolution, latentSize: resolution / latentFactor, images, ignored };
}

async function loadOne(entry: TrainingImageFile, options: ReadImageOptions, resolution: number, latentFactor: number, flips: boolean): Promise<TrainingImage> {
  const bytes = await readImageBytes(entry.file);
  const decoded = decodeTrainingImage(bytes, entry.file, options);
  const image = prepareImage(decoded, resolution);
  let mask: Float32Array | undefined;
  let maskSha256: string | undefined;
  if (entry.maskFile !== undefined) {
    const maskBytes = await readImageBytes(entry.maskFile);
    const maskImage = decodeTrainingImage(maskBytes, entry.maskFile, options);
    if (maskImage.width !== decoded.width || maskImage.height !== decoded.height) {
      throw new MaskSizeError(entry.maskFile, [maskImage.width, maskImage.height], entry.file, [decoded.width, decoded.height]);
    }
    mask = downsampleMask(prepareMask(maskImage, resolution), resolution, latentFactor);
    maskSha256 = sha256(maskBytes);
  }
  const variants: TrainingVariant[] = [{ image, mask, flipped: false }];
  if (flips) {
    const latentSize = resolution / latentFactor;
    variants.push({ image: flipHorizontal(image), mask: mask && flipMaskHorizontal(mask, latentSize), flipped: true });
  }
  return { name: entry.name, file: entry.file, sha256: sha256(bytes), maskFile: entry.maskFile, maskSha256, variants };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
