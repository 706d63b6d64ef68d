import type { RgbImage } from '@perfusion/encoders';
import type { ConceptFile } from '@perfusion/concept-format';
import type { GenerationRequest, Pipeline } from '@perfusion/pipeline';
import { measurePattern, PLACE_PHRASES, type ColourName, type PositionName } from '@perfusion/toyworld';
import { lastValueFrom } from 'rxjs';
import { ToyModelError } from '../errors.js';

/** One prompt of the sweep and what it asks for. */
export interface SweepPrompt {
  readonly prompt: string;
  readonly background: ColourName;
  readonly position: PositionName;
}

/** Fidelity and alignment at one (β, τ). */
export interface SweepPoint {
  readonly beta: number;
  readonly tau: number;
  /** Mean pattern fidelity (`measurePattern`) over every image. */
  readonly fidelity: number;
  /** Mean of the background and position agreement with the prompts. */
  readonly alignment: number;
  readonly background: number;
  readonly position: number;
}

/** Prompts placing the concept at every position on each background, e.g. "a photo of a <c> at the top, orange background". */
export function sweepPrompts(token: string, backgrounds: readonly ColourName[], positions: readonly PositionName[]): SweepPrompt[] {
  return backgrounds.flatMap((background) =>
    positions.map((position) => ({ prompt: `a photo of a ${token} ${PLACE_PHRASES[position]}, ${background} background`, background, position })),
  );
}

/** What a sweep runs: the prompts, the seeds each is drawn with, and the sampler. */
export interface SweepSettings {
  readonly prompts: readonly SweepPrompt[];
  readonly seeds: readonly number[];
  readonly steps: number;
  readonly guidanceScale: number;
  readonly scheduler: string;
  readonly patternColours: readonly [ColourName, ColourName];
}

/**
 * Generates every prompt × seed with the concept at (β, τ) and measures the pictures: fidelity =
 * how much of the object shows the concept's pattern, alignment = whether the background and the
 * object's place are what the prompt asked. `onImage` sees each picture (for contact sheets).
 */
export function sweepPoint(
  pipeline: Pipeline,
  concept: ConceptFile,
  beta: number,
  tau: number,
  settings: SweepSettings,
  onImage?: (image: RgbImage, prompt: SweepPrompt, seed: number) => void,
): Promise<SweepPoint> {
  return measurePrompts(pipeline, settings, { beta, tau }, (asked) => ({ prompt: asked.prompt, concepts: [{ concept, beta, tau }] }), onImage);
}

/**
 * The same measures with no concept: each prompt with the concept's token replaced by `words`
 * (e.g. "yellow striped star"), what the prompt alone gets. β and τ of the point are NaN.
 */
export function wordsPoint(pipeline: Pipeline, token: string, words: string, settings: SweepSettings): Promise<SweepPoint> {
  return measurePrompts(pipeline, settings, { beta: Number.NaN, tau: Number.NaN }, (asked) => ({ prompt: asked.prompt.replace(token, words), concepts: [] }));
}

async function measurePrompts(
  pipeline: Pipeline,
  settings: SweepSettings,
  knobs: { readonly beta: number; readonly tau: number },
  request: (asked: SweepPrompt) => Pick<GenerationRequest, 'prompt' | 'concepts'>,
  onImage?: (image: RgbImage, prompt: SweepPrompt, seed: number) => void,
): Promise<SweepPoint> {
  let fidelity = 0;
  let background = 0;
  let position = 0;
  let count = 0;
  for (const asked of settings.prompts) {
    for (const seed of settings.seeds) {
      const done = await lastValueFrom(pipeline.generate({ ...request(asked), seed, steps: settings.steps, guidanceScale: settings.guidanceScale, scheduler: settings.scheduler }));
      if (done.type !== 'done') throw new ToyModelError(`sweepPoint: '${asked.prompt}' ended without an image.`);
      const image = done.images[0]!;
      onImage?.(image, asked, seed);
      const measure = measurePattern(image, settings.patternColours);
      fidelity += measure.fidelity;
      background += Number(measure.background === asked.background);
      position += Number(measure.position === asked.position);
      count += 1;
    }
  }
  return { ...knobs, fidelity: fidelity / count, alignment: (background + position) / (2 * count), background: background / count, position: position / count };
}
