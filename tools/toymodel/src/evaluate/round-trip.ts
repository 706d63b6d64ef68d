import type { RgbImage } from '@perfusion/encoders';
import type { OnnxSession } from '@perfusion/onnx-graph';
import type { Scene } from '@perfusion/toyworld';
import { pixelsToImages } from '../data/pixels-to-images.js';
import { scenesToPixels } from '../data/scene-batches.js';

/** The scenes rendered, encoded and decoded again: what an autoencoder gives back of them. */
export async function autoencodeScenes(encoder: OnnxSession, decoder: OnnxSession, scenes: readonly Scene[]): Promise<RgbImage[]> {
  const latent = (await encoder.run({ sample: scenesToPixels(scenes) }))['latent_sample']!;
  return pixelsToImages((await decoder.run({ latent_sample: latent }))['sample']!);
}
