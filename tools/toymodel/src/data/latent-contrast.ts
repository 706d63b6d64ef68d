import type { OnnxSession } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { COLOUR_NAMES, COLOURS, SCENE_SIZE, type ColourName } from '@perfusion/toyworld';
import { inverseSquareFactor, toModelRange, type ContrastFactor } from './scene-batches.js';

/** The mean latent (one value per channel) the encoder gives a flat picture of each palette colour. */
export async function colourLatents(encoder: OnnxSession): Promise<ReadonlyMap<ColourName, Float64Array>> {
  const plane = SCENE_SIZE * SCENE_SIZE;
  const pixels = new Float32Array(COLOUR_NAMES.length * 3 * plane);
  COLOUR_NAMES.forEach((colour, n) => {
    for (let c = 0; c < 3; c++) pixels.fill(toModelRange(COLOURS[colour][c]), (n * 3 + c) * plane, (n * 3 + c + 1) * plane);
  });
  const latent = (await encoder.run({ sample: new Tensor('float32', pixels, [COLOUR_NAMES.length, 3, SCENE_SIZE, SCENE_SIZE]) }))['latent_sample'];
  if (latent?.shape.length !== 4) throw new RangeError(`colourLatents: the encoder gave no [count, channels, height, width] 'latent_sample' (got ${JSON.stringify(latent?.shape)}); give a VAE encoder session.`);
  const [, channels, height, width] = latent.shape as [number, number, number, number];
  const cells = height * width;
  const data = latent.data as Float32Array;
  return new Map(
    COLOUR_NAMES.map((colour, n) => {
      const mean = new Float64Array(channels);
      for (let c = 0; c < channels; c++) {
        const start = (n * channels + c) * cells;
        for (let p = 0; p < cells; p++) mean[c]! += data[start + p]!;
        mean[c]! /= cells;
      }
      return [colour, mean];
    }),
  );
}

/** Euclidean distance between two colours' mean latents. */
function latentDistance(latents: ReadonlyMap<ColourName, Float64Array>, a: ColourName, b: ColourName): number {
  const [x, y] = [latents.get(a)!, latents.get(b)!];
  return Math.hypot(...Array.from(x, (v, c) => v - y[c]!));
}

/**
 * The median of the distances between the mean latents of every pair of palette colours: pairs closer
 * than it weigh more under {@link latentContrastFactor}, the rest not at all.
 */
export function medianPairDistance(latents: ReadonlyMap<ColourName, Float64Array>): number {
  const distances = COLOUR_NAMES.flatMap((a, i) => COLOUR_NAMES.slice(i + 1).map((b) => latentDistance(latents, a, b))).sort((p, q) => p - q);
  const middle = distances.length / 2;
  return Number.isInteger(middle) ? (distances[middle - 1]! + distances[middle]!) / 2 : distances[Math.floor(middle)]!;
}

/**
 * A contrast factor measured where the denoiser works: (median pair distance / distance)² between the
 * encoder's mean latents of the object's and the background's colours, 1 to MAX_CONTRAST_FACTOR.
 * Why not RGB distance (`contrastFactor`): the encoder puts some pairs far closer than their RGB
 * distance says — yellow and white (221 apart in RGB, mid-table) are the fourth closest of the 36 pairs
 * in the committed encoder's latent — and the denoiser only ever sees the latent; small stars on
 * yellow/white, orange/gray and white/orange were a third of its remaining misses with those pairs
 * weighted about 1 by RGB. The median keeps the factor free of the latent's scale: half the pairs are
 * weighted up, whatever encoder the table is measured on.
 */
export async function latentContrastFactor(encoder: OnnxSession): Promise<ContrastFactor> {
  const latents = await colourLatents(encoder);
  const reference = medianPairDistance(latents);
  const table = new Map<string, number>();
  for (const a of COLOUR_NAMES) for (const b of COLOUR_NAMES) table.set(`${a}/${b}`, inverseSquareFactor(reference, latentDistance(latents, a, b)));
  return (colour, background) => table.get(`${colour}/${background}`)!;
}
