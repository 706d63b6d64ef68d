import type { Rng } from '@perfusion/tensor-core';
import { COLOUR_NAMES, randomScene, type ColourName, type Scene, type ShapeName } from '@perfusion/toyworld';
import { withRandomPatterns } from './patterns.js';
import type { ContrastFactor } from './scene-batches.js';

/**
 * Whether the combination (shape, colour, background) is held out of diffusion training: about one
 * in ten, chosen by a fixed hash of its words. The evaluator's single-object captions use only
 * held-out combinations, so its figures measure whether the model composes words it learnt
 * apart ("purple" seen on circles, "heart" seen in other colours) rather than recalls pictures.
 */
export function isHeldOut(shape: ShapeName, colour: ColourName, background: ColourName): boolean {
  let hash = 0x811c9dc5;
  for (const char of `${shape}|${colour}|${background}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 10 === 0;
}

const heldOutObject = (scene: Scene): boolean => scene.objects.some((o) => isHeldOut(o.shape, o.colour, scene.background));

/**
 * The shapes a denoiser of this world learns last when small: at step 14,500 the evaluator found
 * small stars 0/11, small crosses 0/9 and small rings 11/19 right, every other shape and size
 * at least 8 of 9.
 */
export const HARD_SHAPES: readonly ShapeName[] = ['star', 'cross', 'ring'];
/** Share of training scenes drawn, with `hardShapes`, with small objects of {@link HARD_SHAPES} only. */
export const HARD_SCENE_SHARE = 1 / 3;

/**
 * The small shapes the denoiser draws alike once it draws them at all (the evaluator's misses at step
 * 23,000 and in the average committed since): diamonds and crosses as one plump four-pointed blob,
 * blunt stars read as diamonds. Drawn side by side, their differences are what the loss sees.
 */
export const LOOKALIKE_SHAPES: readonly ShapeName[] = ['diamond', 'cross', 'star'];
/** Share of training scenes drawn, with `lookalikeShapes`, with small objects of {@link LOOKALIKE_SHAPES} only. */
export const LOOKALIKE_SCENE_SHARE = 1 / 4;

/**
 * Share of training scenes drawn, with `smallScenes`, with small objects only, of any shape. Why: the
 * shapes the evaluator still misses are all small (stars, crosses, diamonds), and a draw of only
 * some shapes ({@link HARD_SHAPES}) taught the denoiser and the decoder to lean towards those.
 */
export const SMALL_SCENE_SHARE = 1 / 3;
/**
 * Chance that a small-only scene is set on gray (when no object of it is gray). Why: on gray the
 * trained encoder's background latent moves everywhere with the object in it (elsewhere it stays put),
 * and the denoiser spoils small shapes on gray even from lightly noised encoder latents.
 */
export const SMALL_SCENE_GRAY_CHANCE = 1 / 6;

/**
 * Share of training scenes drawn, with `lowContrastPairs`, with small objects of one colour on a
 * background close to it. Why: the evaluator's remaining misses sit on a few held-out combinations,
 * and the stars among them on pairs the encoder puts close (gray on purple, yellow on white, white on
 * orange, orange on gray): on 1,000 captions 24 of the 30 small stars on those came out as diamonds or
 * circles, 1 of the 42 on the star's other held-out pairs. Weighting such objects up in the loss
 * (`latentContrastFrom`) did not help; more pictures of shapes on those pairs might, but 1,000
 * denoiser steps with them gained on one validation draw what they lost on the other
 * (docs/toy-model.md, fourteenth session).
 */
export const LOW_CONTRAST_SCENE_SHARE = 1 / 3;

/** An object's colour and the background it stands on. */
export interface ColourOnBackground {
  readonly colour: ColourName;
  readonly background: ColourName;
}

/** A colour pair and how often {@link curriculumScene} draws it relative to others. */
export interface WeightedColourPair extends ColourOnBackground {
  readonly weight: number;
}

/**
 * The ordered (colour, background) pairs `factor` weighs more than 1, each drawn in proportion to its
 * factor: for `latentContrastFactor`, the closer half of the palette's pairs, the closest about three
 * times as often as those near the median.
 */
export function lowContrastPairs(factor: ContrastFactor): readonly WeightedColourPair[] {
  return COLOUR_NAMES.flatMap((colour) =>
    COLOUR_NAMES.filter((background) => background !== colour && factor(colour, background) > 1).map((background) => ({ colour, background, weight: factor(colour, background) })),
  );
}

/** One of `pairs`, drawn in proportion to the weights. */
function pickWeighted(rng: Rng, pairs: readonly WeightedColourPair[]): WeightedColourPair {
  let left = rng.uniform() * pairs.reduce((sum, p) => sum + p.weight, 0);
  for (const pair of pairs) {
    left -= pair.weight;
    if (left < 0) return pair;
  }
  return pairs[pairs.length - 1]!;
}

/** Which curriculum scenes {@link curriculumScene} mixes in. */
export interface CurriculumSceneOptions {
  /** {@link HARD_SCENE_SHARE} of the scenes hold only small objects of {@link HARD_SHAPES}. */
  readonly hardShapes?: boolean;
  /** {@link SMALL_SCENE_SHARE} of the (other) scenes hold only small objects, gray backgrounds more often. */
  readonly smallScenes?: boolean;
  /** {@link LOOKALIKE_SCENE_SHARE} of the scenes (before the other options) hold only small objects of {@link LOOKALIKE_SHAPES}. */
  readonly lookalikeShapes?: boolean;
  /** Given (and not empty), {@link LOW_CONTRAST_SCENE_SHARE} of the scenes (after lookalike ones) hold small objects of one pair's colour on its background, pairs drawn by weight. */
  readonly lowContrastPairs?: readonly WeightedColourPair[];
}

/** Options of {@link trainingScene}. */
export interface TrainingSceneOptions extends CurriculumSceneOptions {
  /** Some objects striped or checkered ({@link withRandomPatterns}). */
  readonly patterns?: boolean;
}

const allSmall = (scene: Scene): Scene =>
  // A small box lies inside the large one at the same place, so objects placed apart stay apart.
  ({ ...scene, objects: scene.objects.map((o) => ({ ...o, size: 'small' })) });

/**
 * A random scene: with `lookalikeShapes` {@link LOOKALIKE_SCENE_SHARE} of the time one of small
 * objects of {@link LOOKALIKE_SHAPES} only; else with `lowContrastPairs` {@link LOW_CONTRAST_SCENE_SHARE}
 * of the time one of small objects in a colour of one of those pairs, on its background; else with `hardShapes` {@link HARD_SCENE_SHARE} of the time one of small objects of
 * {@link HARD_SHAPES} only, with `smallScenes` {@link SMALL_SCENE_SHARE} of the rest one of small
 * objects of any shape (on gray more often: {@link SMALL_SCENE_GRAY_CHANCE}). Held-out combinations
 * may occur: the autoencoder's stages draw from this directly (they see no captions, and must decode
 * the evaluator's combinations too).
 */
export function curriculumScene(rng: Rng, { hardShapes = false, smallScenes = false, lookalikeShapes = false, lowContrastPairs: pairs = [] }: CurriculumSceneOptions = {}): Scene {
  // Each option draws from its own fork only when set, so a run without it draws what it drew before.
  if (lookalikeShapes && rng.fork('lookalike').uniform() < LOOKALIKE_SCENE_SHARE) return allSmall(randomScene(rng, { shapes: LOOKALIKE_SHAPES }));
  if (pairs.length > 0 && rng.fork('low-contrast').uniform() < LOW_CONTRAST_SCENE_SHARE) {
    const { colour, background } = pickWeighted(rng.fork('pair'), pairs);
    return { ...allSmall(randomScene(rng, { colours: [colour] })), background };
  }
  if (hardShapes && rng.fork('hard').uniform() < HARD_SCENE_SHARE) return allSmall(randomScene(rng, { shapes: HARD_SHAPES }));
  if (!smallScenes || rng.fork('small').uniform() >= SMALL_SCENE_SHARE) return randomScene(rng);
  const scene = allSmall(randomScene(rng));
  const onGray = rng.fork('gray').uniform() < SMALL_SCENE_GRAY_CHANCE && scene.objects.every((o) => o.colour !== 'gray');
  return onGray ? { ...scene, background: 'gray' } : scene;
}

/**
 * A random training scene: no object of it forms a held-out combination with the background.
 * Options: see {@link TrainingSceneOptions}.
 */
export function trainingScene(rng: Rng, options: TrainingSceneOptions = {}): Scene {
  for (let attempt = 0; ; attempt++) {
    const scene = curriculumScene(rng.fork(attempt), options);
    if (!heldOutObject(scene)) return options.patterns === true ? withRandomPatterns(scene, rng.fork('patterns')) : scene;
  }
}

/** A random scene of `objects` objects whose first object forms a held-out combination with the background. */
export function heldOutScene(rng: Rng, objects: 1 | 2): Scene {
  for (let attempt = 0; ; attempt++) {
    const scene = randomScene(rng.fork(attempt), { objects });
    const [first] = scene.objects;
    if (isHeldOut(first!.shape, first!.colour, scene.background)) return scene;
  }
}
