import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, writeFileAtomic, writeSafetensors } from '@perfusion/concept-format';
import { readScalingFactor } from '@perfusion/encoders';
import { loadPipeline } from '@perfusion/pipeline';
import { Rng } from '@perfusion/tensor-core';
import { analyseImage, caption, renderScene, type Scene, type SceneScore } from '@perfusion/toyworld';
import { lastValueFrom, toArray } from 'rxjs';
import { TOY_LATENT_SIZE, toyLatentShape } from '../architecture.js';
import { DEFAULT_MODEL_GUIDANCE } from '../default-model.js';
import { BaseTrainingError } from '../errors.js';
import { trainingScene } from './held-out.js';

/**
 * Latents the denoiser drew for known scenes, for the decoder to learn to draw those scenes from
 * them. A decoder trained on the encoder's latents alone decodes what the denoiser draws for a
 * small star (a blunt five-pointed blob) as a pentagon or a diamond, although the denoiser draws
 * that blob only for stars; trained on such pairs too, it learns what the denoiser means.
 */
export interface GeneratedLatents {
  /** The scene each latent was generated for (its caption in the world's grammar was the prompt). */
  readonly scenes: readonly Scene[];
  /** [count, channels, side, side] flattened, in the encoder's latent space (the UNet's latents ÷ the scaling factor). */
  readonly latents: Float32Array;
  /** The seed of each generation. */
  readonly seeds: readonly number[];
  /** How they were generated: the model folder's trained steps, sampler settings and the draw's seed. */
  readonly source: Readonly<Record<string, unknown>>;
}

const FORMAT = 'perfusion-toymodel-generated-latents';

/**
 * Seeds of the generations start here, far from the evaluator's (image i drawn with seed i), and
 * the scenes are training scenes: no held-out combination, so the evaluator's captions stay unseen.
 */
export const GENERATED_SEED_BASE = 1_000_000;

/** Options of {@link generateLatents}. */
export interface GenerateLatentsOptions {
  /** How many scenes to draw (those whose picture the analyser finds misplaced are dropped). */
  readonly count: number;
  /** Seed of the scene draw. */
  readonly seed: number;
  /**
   * Draw a third of the scenes as small stars, crosses and rings only (default false). Off, the
   * pool follows the world's own mix of shapes: a pool drawn with them on (2,000 scenes) taught the
   * decoder that the denoiser's plump four-pointed blob is a cross, and small diamonds, which the
   * denoiser draws much the same, fell from 20 to 6 of 22 in the evaluation.
   */
  readonly hardShapes?: boolean;
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly onProgress?: (done: number, total: number, kept: number) => void;
}

/**
 * Whether a generated picture shows the scene's layout: background, count, and each object's
 * colour, size and place right. Its shape may be wrong: those are the latents worth learning from.
 * A picture with an object misplaced or miscoloured would teach the decoder to move or recolour
 * what the denoiser drew, so it is dropped.
 */
export function layoutRight(score: SceneScore): boolean {
  return score.background && score.count && score.objects.every((o) => o.found && o.colour && o.size && o.position);
}

/**
 * Draws `count` training scenes (with `hardShapes`, a third of them small stars, crosses and rings
 * only), generates each scene's caption with the model's own pipeline (DDIM,
 * the default model's guidance) and keeps the final latents of the pictures whose layout is right.
 */
export async function generateLatents(modelDir: string, options: GenerateLatentsOptions): Promise<GeneratedLatents> {
  const steps = options.steps ?? 25;
  const guidanceScale = options.guidanceScale ?? DEFAULT_MODEL_GUIDANCE;
  const rng = new Rng(options.seed);
  const pipeline = await loadPipeline(modelDir, { perfusion: false });
  const scenes: Scene[] = [];
  const seeds: number[] = [];
  const kept: Float32Array[] = [];
  try {
    // The UNet's latents are the VAE's × its scaling factor; the pool holds the VAE's.
    const scale = (await readScalingFactor(path.join(modelDir, 'vae_decoder'))).value;
    for (let i = 0; i < options.count; i++) {
      const scene = trainingScene(rng.fork(i), { hardShapes: options.hardShapes === true });
      const seed = GENERATED_SEED_BASE + i;
      const events = await lastValueFrom(
        pipeline.generate({ prompt: caption(scene), seed, steps, guidanceScale, scheduler: 'ddim', returnLatents: true }).pipe(toArray()),
      );
      const done = events.at(-1);
      const stepEvents = events.filter((e) => e.type === 'step');
      const last = stepEvents[stepEvents.length - 1];
      if (done?.type !== 'done' || last?.latents === undefined) {
        throw new BaseTrainingError(`generateLatents: the generation of '${caption(scene)}' (seed ${seed}) ended without latents.`);
      }
      if (layoutRight(analyseImage(done.images[0]!, scene).score!)) {
        scenes.push(scene);
        seeds.push(seed);
        kept.push(last.latents.map((v) => v / scale));
      }
      options.onProgress?.(i + 1, options.count, scenes.length);
    }
    const source = { trainedSteps: (pipeline.model.modelIndex['perfusion_toy_model'] as { trained_steps?: unknown } | undefined)?.trained_steps ?? null, steps, guidanceScale, scheduler: 'ddim', drawSeed: options.seed, drawn: options.count, hardShapes: options.hardShapes === true };
    const latents = new Float32Array(kept.length * TOY_LATENT_SIZE);
    kept.forEach((l, i) => latents.set(l, i * TOY_LATENT_SIZE));
    return { scenes, latents, seeds, source };
  } finally {
    await pipeline.release();
  }
}

/** Writes the pool atomically as a safetensors file (latents F32; scenes, seeds and source in its metadata). */
export async function writeGeneratedLatents(file: string, pool: GeneratedLatents): Promise<void> {
  const bytes = new Uint8Array(pool.latents.buffer, pool.latents.byteOffset, pool.latents.byteLength);
  const shape = toyLatentShape(pool.scenes.length);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const metadata = { format: FORMAT, scenes: JSON.stringify(pool.scenes), seeds: JSON.stringify(pool.seeds), source: JSON.stringify(pool.source) };
  await writeFileAtomic(file, writeSafetensors([['latents', { dtype: 'F32', shape, bytes }]], metadata, { target: file }));
}

/**
 * Reads a pool written by {@link writeGeneratedLatents}, checking that it is one, that its latents
 * have the toy UNet's shape and one scene each, and that every scene is valid.
 */
export function readGeneratedLatents(file: string): GeneratedLatents {
  if (!fs.existsSync(file)) throw new BaseTrainingError(`No generated latents at ${file}; make them with 'npm run generate-latents -w @perfusion/toymodel'.`);
  const parsed = readSafetensors(fs.readFileSync(file), file);
  const metadata = parsed.metadata ?? {};
  if (metadata['format'] !== FORMAT) throw new BaseTrainingError(`${file} is not a pool of generated latents (its metadata has no format '${FORMAT}').`);
  const tensor = parsed.tensors.find((t) => t.name === 'latents');
  const scenes = JSON.parse(metadata['scenes'] ?? '[]') as Scene[];
  const seeds = JSON.parse(metadata['seeds'] ?? '[]') as number[];
  const expected = toyLatentShape(scenes.length);
  if (tensor?.dtype !== 'F32' || tensor.shape.join() !== expected.join() || seeds.length !== scenes.length) {
    throw new BaseTrainingError(`${file}: expected F32 latents [${expected.join(', ')}] and one seed per scene (${scenes.length}); got ${tensor?.dtype ?? 'no'} latents [${tensor?.shape.join(', ') ?? ''}] and ${seeds.length} seeds. Generate the pool again.`);
  }
  scenes.forEach(renderScene); // validates every scene, with the scene's own error
  // A copy: the bytes are a view into the file's buffer, at an offset a Float32Array may not start at.
  const latents = new Float32Array(new Uint8Array(tensor.bytes).buffer);
  return { scenes, latents, seeds, source: JSON.parse(metadata['source'] ?? '{}') as Record<string, unknown> };
}
