import { tensorFromImages, type VaeEncoder } from '@perfusion/encoders';
import type { TrainingImageSet } from '../data/load-training-images.js';

/** The VAE latents of every training image variant, encoded once before the first step. */
export interface TrainingLatents {
  /** [C, h, w] of each latent. */
  readonly shape: readonly [number, number, number];
  /** latents[image][variant]: scaled latents (× the VAE's scaling factor), C·h·w values. */
  readonly latents: readonly (readonly Float32Array[])[];
}

/** Encodes each image variant (one VAE call each, so memory stays at one image). */
export async function encodeTrainingLatents(
  set: TrainingImageSet,
  vae: Pick<VaeEncoder, 'encode'>,
  onProgress: (done: number, total: number) => void,
  isCancelled: () => boolean,
): Promise<TrainingLatents | undefined> {
  const total = set.images.reduce((n, image) => n + image.variants.length, 0);
  let done = 0;
  let shape: [number, number, number] | undefined;
  const latents: Float32Array[][] = [];
  onProgress(0, total);
  for (const image of set.images) {
    const own: Float32Array[] = [];
    for (const variant of image.variants) {
      if (isCancelled()) return undefined;
      const encoded = await vae.encode(tensorFromImages([variant.image]));
      shape = encoded.shape.slice(1) as [number, number, number];
      own.push(encoded.data);
      onProgress(++done, total);
    }
    latents.push(own);
  }
  return { shape: shape!, latents };
}
