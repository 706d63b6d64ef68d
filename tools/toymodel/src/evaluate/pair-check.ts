import * as path from 'node:path';
import { OnnxSession } from '@perfusion/onnx-graph';
import { loadPipeline } from '@perfusion/pipeline';
import { analyseImage, COLOUR_NAMES, POSITION_NAMES, SceneError, type ColourName, type FoundObject, type Scene, type ShapeName, type SizeName } from '@perfusion/toyworld';
import { isHeldOut, lowContrastPairs, type ColourOnBackground } from '../data/held-out.js';
import { latentContrastFactor } from '../data/latent-contrast.js';
import { shapeRight } from './accuracy.js';
import { EVALUATION_DEFAULTS, evaluateScene } from './evaluate-model.js';
import { autoencodeScenes } from './round-trip.js';

/** How often one shape came out right on one colour pair. */
export interface PairTally {
  readonly right: number;
  readonly total: number;
  /** What the analyser read in each picture it got wrong ('+' between objects; '' for none). */
  readonly misread: readonly string[];
}

/** One row of {@link pairCheck}. */
export interface PairCheckRow extends ColourOnBackground {
  /** Whether diffusion training never showed this shape in this colour on this background. */
  readonly heldOut: boolean;
  /** Pictures the model generated for the caption, one per place and seed. */
  readonly generated: PairTally;
  /** The rendered scenes through the model's own encoder and decoder, one per place: what the autoencoder can give back at all. */
  readonly autoencoder: PairTally;
}

/** Parses "gray/purple,yellow/white" (colour/background, comma-separated) into pairs, refusing unknown colours and a colour on itself. */
export function parseColourPairs(text: string): ColourOnBackground[] {
  return text.split(',').map((item) => {
    const [colour, background, extra] = item.trim().split('/');
    const known = (name: string | undefined): name is ColourName => COLOUR_NAMES.includes(name as ColourName);
    if (extra !== undefined || !known(colour) || !known(background) || colour === background) {
      throw new SceneError(`pair '${item.trim()}': expected colour/background, two different colours of ${COLOUR_NAMES.join(', ')} (e.g. gray/purple).`);
    }
    return { colour, background };
  });
}

/** Pictures right of those read (`right[i]` for `reads[i]`), and what was read in the others. */
const tally = (reads: readonly (readonly FoundObject[])[], right: readonly boolean[]): PairTally => ({
  right: right.filter(Boolean).length,
  total: right.length,
  misread: reads.filter((_, i) => !right[i]).map((objects) => objects.map((o) => o.shape).join('+')),
});

/**
 * For each pair (default: the closer half of the palette's pairs as the model's own encoder measures
 * them, `lowContrastPairs`, closest first), one `size` object of `shape` in the pair's colour on its
 * background at each of the five places: whether the model draws the shape (generated with each of `seeds`, DDIM 25 at the
 * evaluator's guidance) and whether its autoencoder gives the rendered picture back with that shape,
 * read as the evaluator reads it (right count, right shape). Tells a denoiser that cannot draw a
 * shape on a pair from an autoencoder that cannot represent it there.
 */
export async function pairCheck(modelDir: string, shape: ShapeName, options: { pairs?: readonly ColourOnBackground[]; size?: SizeName; seeds?: readonly number[] } = {}): Promise<PairCheckRow[]> {
  const { size = 'small', seeds = [0, 1] } = options;
  const pipeline = await loadPipeline(modelDir, { perfusion: false });
  const encoder = await OnnxSession.create(path.join(modelDir, 'vae_encoder', 'model.onnx'));
  const decoder = await OnnxSession.create(path.join(modelDir, 'vae_decoder', 'model.onnx'));
  try {
    const pairs = options.pairs ?? [...lowContrastPairs(await latentContrastFactor(encoder))].sort((a, b) => b.weight - a.weight);
    const rows: PairCheckRow[] = [];
    for (const { colour, background } of pairs) {
      const scenes: Scene[] = POSITION_NAMES.map((position) => ({ background, objects: [{ shape, colour, size, position }] }));
      const generated = [];
      for (const seed of seeds) for (const scene of scenes) generated.push(await evaluateScene(pipeline, scene, seed, EVALUATION_DEFAULTS));
      const decoded = (await autoencodeScenes(encoder, decoder, scenes)).map((image, i) => analyseImage(image, scenes[i]!));
      rows.push({
        colour,
        background,
        heldOut: isHeldOut(shape, colour, background),
        generated: tally(
          generated.map((g) => g.read),
          generated.map((g) => shapeRight(g.score)),
        ),
        autoencoder: tally(
          decoded.map((a) => a.objects),
          decoded.map((a) => shapeRight(a.score!)),
        ),
      });
    }
    return rows;
  } finally {
    await pipeline.release();
    await encoder.release();
    await decoder.release();
  }
}
