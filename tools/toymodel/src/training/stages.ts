import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { parseSchedulerConfig } from '@perfusion/scheduler';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { SCENE_SIZE, SIZE_PIXELS, type Scene } from '@perfusion/toyworld';
import { TrainingNoiseSchedule } from '@perfusion/trainer';
import { TOY_LATENT_SIZE, TOY_UNET, toyLatentShape, toySchedulerConfig } from '../architecture.js';
import { contrastFactor, normalTensor, objectBoxWeights, objectCellWeights, objectPixelWeights, randomImageBatch, scenesToPixels, type ContrastFactor } from '../data/scene-batches.js';
import { latentContrastFactor } from '../data/latent-contrast.js';
import { readGeneratedLatents } from '../data/generated-latents.js';
import { trainingCaption } from '../data/training-caption.js';
import { curriculumScene, lowContrastPairs, trainingScene, type TrainingSceneOptions, type WeightedColourPair } from '../data/held-out.js';
import { withRandomPatterns } from '../data/patterns.js';
import { BaseTrainingError } from '../errors.js';
import { autoencoderTrainingGraph, decoderTrainingGraph, diffusionTrainingGraph, initialNetwork, latentDecoderTrainingGraph, type TrainingGraph } from '../graphs/training-graphs.js';
import { trainedNetwork } from '../graphs/with-weights.js';
import { toyTokenizer } from '../tokenizer/toy-tokenizer.js';
import { readStageCheckpoint, type StageCheckpoint } from './checkpoint.js';
import type { StageDefinition } from './train-stage.js';
import { checkpointFile } from './train-stage.js';
import type { StageCurriculum } from './curriculum.js';

/**
 * Weight of the KL term against the per-pixel reconstruction error. Both are means, so per element
 * the prior weighs 12× this against a pixel (a latent element stands for 12 pixel values). At 1e-4
 * it held the posterior's spread near 1 and the decoder saw noisy latents: after 500 steps only 10 %
 * of reconstructions read back exactly. SD's VAE uses 1e-6 on sums.
 */
export const KL_WEIGHT = 1e-6;
/** Loss weight of object pixels against background ones in autoencoder training. */
export const OBJECT_PIXEL_WEIGHT = 8;
/** Background pixels around an object's box that weigh as the object does, from `boxWeightFrom` on. */
export const BOX_WEIGHT_MARGIN = 2;
/**
 * How many times a large object's box weight a small object's box weighs from `smallBoxWeightFrom`
 * on (in the denoiser's loss: its latent cells): the ratio of their areas (4), so every object's box
 * carries the same share of the loss. With
 * equal weights per pixel a small box had a quarter of a large one's pull, and small stars,
 * crosses and diamonds were the shapes the decoder still drew wrong (check-autoencoder: decoder
 * 6,400 steps 82.8 % of shapes without it, 85.1 % with it from step 5,800).
 */
export const SMALL_BOX_WEIGHT_FACTOR = (SIZE_PIXELS.large / SIZE_PIXELS.small) ** 2;
/** Share of diffusion-training captions replaced by the empty prompt, so classifier-free guidance has an unconditional model. */
export const CAPTION_DROPOUT = 0.1;

/**
 * Loss weight of the latent cells around objects against the background's in diffusion training,
 * from `objectWeightFrom` on. Why: the background is most of every latent and is learnt first; after
 * 8,800 steps colour and place were right 99 % of the time and shapes 38.5 %.
 */
export const OBJECT_CELL_WEIGHT = 4;

/**
 * The timesteps [first, end) a small-only scene's sample is drawn from, half of the time, from the
 * curriculum's `midNoiseFrom` on. Why there: restarted from an encoder latent of a small star noised
 * to t, the sampler kept the star from t ≤ 199 and lost it from t ≈ 500 (docs/toy-model.md, "The
 * decoder learns what the denoiser draws"), so the shape is settled in between, and small shapes
 * are what the denoiser still draws wrong. Uniform timesteps give that band two fifths of the samples.
 */
export const MID_NOISE_TIMESTEPS: readonly [number, number] = [200, 600];
/** Share of a small-only scene's samples drawn from {@link MID_NOISE_TIMESTEPS}, from `midNoiseFrom` on. */
export const MID_NOISE_SHARE = 1 / 2;

const onlySmallObjects = (scene: Scene): boolean => scene.objects.length > 0 && scene.objects.every((o) => o.size === 'small');

/**
 * A sample's timestep: uniform over the schedule, or with `midNoise` and a small-only scene, half of
 * the time uniform over {@link MID_NOISE_TIMESTEPS}. The same `pick` draw places the timestep either
 * way and the choice comes from its own stream, so with `midNoise` off the batches are the ones drawn
 * before the switch existed.
 */
export function sampleTimestep(pick: Rng, choose: Rng, scheduleLength: number, scene: Scene, midNoise: boolean): number {
  const u = pick.uniform();
  if (midNoise && onlySmallObjects(scene) && choose.uniform() < MID_NOISE_SHARE) {
    const [first, end] = MID_NOISE_TIMESTEPS;
    return first + Math.floor(u * (end - first));
  }
  return Math.floor(u * scheduleLength);
}

const switchedOn = (from: number | undefined, step: number): boolean => from !== undefined && step >= from;

/** Which scenes the curriculum draws at `step`: patterns and each kind of curriculum scene it has switched on by then. */
function sceneOptionsAt(curriculum: StageCurriculum, step: number): TrainingSceneOptions {
  return {
    patterns: switchedOn(curriculum.patternsFrom, step),
    hardShapes: switchedOn(curriculum.hardShapesFrom, step),
    smallScenes: switchedOn(curriculum.smallScenesFrom, step),
    lookalikeShapes: switchedOn(curriculum.lookalikeShapesFrom, step),
  };
}

/** The frozen encoder's latent contrast factor and the pairs it weighs up, measured the first time a batch needs them; the same for the whole run. */
function lazyLatentContrast(encoder: OnnxSession): { factor: () => Promise<ContrastFactor>; pairs: () => Promise<readonly WeightedColourPair[]> } {
  let factor: Promise<ContrastFactor> | undefined;
  let pairs: Promise<readonly WeightedColourPair[]> | undefined;
  const measured = (): Promise<ContrastFactor> => (factor ??= latentContrastFactor(encoder));
  return { factor: measured, pairs: () => (pairs ??= measured().then(lowContrastPairs)) };
}

/** {@link sceneOptionsAt}, with the encoder's low-contrast pairs from the curriculum's `lowContrastScenesFrom` (stages that have a frozen encoder). */
async function encodedSceneOptionsAt(curriculum: StageCurriculum, step: number, contrast: ReturnType<typeof lazyLatentContrast>): Promise<TrainingSceneOptions> {
  const options = sceneOptionsAt(curriculum, step);
  return switchedOn(curriculum.lowContrastScenesFrom, step) ? { ...options, lowContrastPairs: await contrast.pairs() } : options;
}

/** How the reconstruction stages draw a scene with `options`: curriculum scenes, patterned as the options say. */
function reconstructionDraw(options: TrainingSceneOptions): (rng: Rng) => Scene {
  return (r) => {
    const scene = curriculumScene(r, options);
    return options.patterns === true ? withRandomPatterns(scene, r.fork('patterns')) : scene;
  };
}

/**
 * Per-pixel loss weights of the reconstruction stages at `step`: object pixels, or (from
 * `boxWeightFrom`) whole boxes, small ones more from `smallBoxWeightFrom`, low-contrast ones more from
 * `contrastWeightFrom` (by `latentContrast` from `latentContrastFrom`, where the stage has a frozen encoder).
 */
function reconstructionWeights(scenes: readonly Scene[], curriculum: StageCurriculum, step: number, latentContrast?: ContrastFactor): Tensor {
  if (!switchedOn(curriculum.boxWeightFrom, step)) return objectPixelWeights(scenes, OBJECT_PIXEL_WEIGHT);
  const contrast = switchedOn(curriculum.latentContrastFrom, step) ? latentContrast : switchedOn(curriculum.contrastWeightFrom, step) ? contrastFactor : undefined;
  return objectBoxWeights(scenes, OBJECT_PIXEL_WEIGHT, BOX_WEIGHT_MARGIN, switchedOn(curriculum.smallBoxWeightFrom, step) ? SMALL_BOX_WEIGHT_FACTOR : 1, contrast);
}

/**
 * Feeds of the reconstruction objectives: random scenes, latent-shaped noise, object pixels (from
 * `boxWeightFrom`: object boxes; from `smallBoxWeightFrom` also small boxes more) weighted up.
 */
function reconstructionStage(name: string, graph: TrainingGraph, curriculum: StageCurriculum = {}): StageDefinition {
  for (const key of ['latentContrastFrom', 'lowContrastScenesFrom'] as const) {
    if (curriculum[key] !== undefined) {
      throw new BaseTrainingError(`The ${name} stage has no frozen encoder to measure colour contrast with, so ${key} (${curriculum[key]}) cannot apply; use it for the diffusion stage, or the decoder stage with generatedLatentsFrom.`);
    }
  }
  const latentSide = 16;
  return {
    name,
    graph,
    batch: (rng, batchSize, step) => {
      const { scenes, pixels } = randomImageBatch(rng.fork('images'), batchSize, reconstructionDraw(sceneOptionsAt(curriculum, step)));
      return {
        sample: pixels,
        noise: normalTensor(rng.fork('noise'), [batchSize, 4, latentSide, latentSide]),
        pixel_weights: reconstructionWeights(scenes, curriculum, step),
      };
    },
  };
}

/** The autoencoder stage's checkpoint, which the decoder and diffusion stages build on. */
function autoencoderCheckpoint(autoencoderDir: string): StageCheckpoint {
  const checkpoint = readStageCheckpoint(checkpointFile(autoencoderDir));
  if (!checkpoint) throw new BaseTrainingError(`No autoencoder checkpoint in ${autoencoderDir}; train the autoencoder stage first.`);
  return checkpoint;
}

/** The autoencoder stage: SD's VAE trained to reconstruct random scenes through its 16×16×4 Gaussian latent. */
export function autoencoderStage(curriculum: StageCurriculum = {}): StageDefinition {
  return reconstructionStage('autoencoder', autoencoderTrainingGraph(initialNetwork('vae_encoder'), initialNetwork('vae_decoder'), KL_WEIGHT), curriculum);
}

/**
 * The decoder stage: the autoencoder stage's decoder trained on with its encoder frozen (so it can
 * run beside or after diffusion training, whose latents come from that encoder). It starts from
 * the autoencoder checkpoint's averaged decoder; later runs resume from its own checkpoint.
 */
export function decoderStage(autoencoderDir: string, curriculum: StageCurriculum = {}): StageDefinition {
  const checkpoint = autoencoderCheckpoint(autoencoderDir);
  const source = checkpointFile(autoencoderDir);
  const encoder = trainedNetwork(checkpoint, 'vae_encoder', source);
  const decoder = trainedNetwork(checkpoint, 'vae_decoder', source);
  return reconstructionStage('decoder', decoderTrainingGraph(encoder, decoder), curriculum);
}

/** The frozen encoder of a trained autoencoder stage, and the latent scale measured on it. */
export interface TrainedEncoder {
  readonly session: OnnxSession;
  readonly scalingFactor: number;
}

/**
 * Loads the autoencoder stage's averaged encoder (written beside the diffusion stage's work) and
 * measures SD's scaling factor on it: 1 / standard deviation of the latents of 256 random scenes,
 * so the UNet sees latents of unit variance as SD's does.
 */
export async function loadTrainedEncoder(autoencoderDir: string, workDir: string): Promise<TrainedEncoder> {
  return trainedEncoder(autoencoderCheckpoint(autoencoderDir), autoencoderDir, workDir);
}

/** {@link loadTrainedEncoder} from a checkpoint already read (the latent decoder stage needs its decoder too). */
async function trainedEncoder(checkpoint: StageCheckpoint, autoencoderDir: string, workDir: string): Promise<TrainedEncoder> {
  const encoder = trainedNetwork(checkpoint, 'vae_encoder', checkpointFile(autoencoderDir));
  fs.mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'vae_encoder.onnx');
  await writeModel(encoder, file);
  const session = await OnnxSession.create(file);
  const { pixels } = randomImageBatch(new Rng(123).fork('scaling'), 256);
  const latents = (await session.run({ sample: pixels }))['latent_sample']!.data as Float32Array;
  let sum = 0;
  let squares = 0;
  for (const v of latents) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / latents.length;
  const scalingFactor = 1 / Math.sqrt(squares / latents.length - mean * mean);
  // The UNet learns latents at this scale: an autoencoder retrained afterwards would not fit it.
  const record = path.join(workDir, 'latent-scale.json');
  if (fs.existsSync(record)) {
    const recorded = (JSON.parse(fs.readFileSync(record, 'utf8')) as { scalingFactor: number }).scalingFactor;
    if (recorded !== scalingFactor) {
      await session.release();
      throw new BaseTrainingError(`The autoencoder in ${autoencoderDir} changed since diffusion training began in ${workDir} (latent scale ${recorded} then, ${scalingFactor} now); restore it or start the diffusion stage afresh.`);
    }
  } else fs.writeFileSync(record, `${JSON.stringify({ scalingFactor })}\n`);
  return { session, scalingFactor };
}

/** Where the decoder stage finds the pool of generated latents (`npm run generate-latents` writes it). */
export const generatedLatentsFile = (decoderDir: string): string => path.join(decoderDir, 'generated-latents.safetensors');

/** Share of each decoder batch drawn from the generated latents once `generatedLatentsFrom` is reached. */
export const GENERATED_LATENT_SHARE = 0.5;

/**
 * The decoder stage fed latents instead of pictures, for curricula with `generatedLatentsFrom`: the
 * frozen encoder runs outside the graph (its means; the posterior's spread, 0.03 against latents
 * spread 2.5, is left out), and from `generatedLatentsFrom` {@link GENERATED_LATENT_SHARE} of each
 * batch is latents the denoiser drew, from `generatedLatentsFile(decoderDir)`, with the pictures
 * of the scenes they were drawn for. Same weights, scenes and loss weighting as {@link decoderStage};
 * from `latentContrastFrom` boxes weighted by the frozen encoder's `latentContrastFactor` instead of
 * RGB contrast, from `lowContrastScenesFrom` a third of the drawn scenes (after lookalike ones) small
 * objects on backgrounds that encoder puts close to their colour (`lowContrastPairs`): what only a
 * stage with the encoder outside its graph can measure.
 */
export async function latentDecoderStage(autoencoderDir: string, decoderDir: string, curriculum: StageCurriculum): Promise<StageDefinition> {
  const checkpoint = autoencoderCheckpoint(autoencoderDir);
  const pool = readGeneratedLatents(generatedLatentsFile(decoderDir));
  if (pool.scenes.length === 0) throw new BaseTrainingError(`The pool ${generatedLatentsFile(decoderDir)} holds no latents (every generated picture had its layout wrong?); generate it again with more --count.`);
  const encoder = await trainedEncoder(checkpoint, autoencoderDir, decoderDir);
  const contrast = lazyLatentContrast(encoder.session);
  return {
    name: 'decoder',
    graph: latentDecoderTrainingGraph(trainedNetwork(checkpoint, 'vae_decoder', checkpointFile(autoencoderDir))),
    batch: async (rng, batchSize, step) => {
      const generated = switchedOn(curriculum.generatedLatentsFrom, step) ? Math.round(batchSize * GENERATED_LATENT_SHARE) : 0;
      const drawn = randomImageBatch(rng.fork('images'), batchSize - generated, reconstructionDraw(await encodedSceneOptionsAt(curriculum, step, contrast)));
      const pick = rng.fork('generated');
      const picked = Array.from({ length: generated }, () => Math.floor(pick.uniform() * pool.scenes.length));
      const scenes = [...drawn.scenes, ...picked.map((i) => pool.scenes[i]!)];
      const latents = new Float32Array(batchSize * TOY_LATENT_SIZE);
      if (drawn.scenes.length > 0) latents.set((await encoder.session.run({ sample: drawn.pixels }))['latent_sample']!.data as Float32Array);
      picked.forEach((i, k) => latents.set(pool.latents.subarray(i * TOY_LATENT_SIZE, (i + 1) * TOY_LATENT_SIZE), (drawn.scenes.length + k) * TOY_LATENT_SIZE));
      const image = new Float32Array(batchSize * 3 * SCENE_SIZE * SCENE_SIZE);
      if (drawn.scenes.length > 0) image.set(drawn.pixels.data as Float32Array);
      if (generated > 0) image.set(scenesToPixels(scenes.slice(drawn.scenes.length)).data as Float32Array, drawn.pixels.data.length);
      return {
        latent_sample: new Tensor('float32', latents, toyLatentShape(batchSize)),
        image: new Tensor('float32', image, [batchSize, 3, SCENE_SIZE, SCENE_SIZE]),
        pixel_weights: reconstructionWeights(scenes, curriculum, step, switchedOn(curriculum.latentContrastFrom, step) ? await contrast.factor() : undefined),
      };
    },
  };
}

/**
 * The forward process the toy UNet learns, from {@link toySchedulerConfig} parsed as the pipeline
 * parses the exported scheduler_config.json. (The raw object once went in unparsed, cast: its
 * snake_case keys were ignored and a run trained on the defaults, ε-prediction.)
 */
export function toyNoiseSchedule(): TrainingNoiseSchedule {
  return TrainingNoiseSchedule.fromConfig(parseSchedulerConfig(toySchedulerConfig(), 'toySchedulerConfig()'));
}

/**
 * The denoising stage: the text encoder and the UNet trained together on (caption, latent) pairs
 * of random scenes, v-prediction under the noise schedule the model ships ({@link toySchedulerConfig}:
 * DDPM's linear betas), captions in varied phrasings and {@link CAPTION_DROPOUT} of them empty; from
 * the curriculum's `patternsFrom` some objects patterned, from its `objectWeightFrom` the cells
 * around objects weighing {@link OBJECT_CELL_WEIGHT} in the loss, from its `smallBoxWeightFrom` a
 * small object's cells {@link SMALL_BOX_WEIGHT_FACTOR} times more, from its `hardShapesFrom` a third
 * of the scenes small stars, crosses and rings only (`HARD_SHAPES`), from its `smallScenesFrom` a
 * third of the scenes small objects only (`SMALL_SCENE_SHARE`), from its `lookalikeShapesFrom` a
 * quarter small diamonds, crosses and stars only (`LOOKALIKE_SHAPES`), from its `midNoiseFrom` half
 * of the small-only scenes' timesteps from the middle of the schedule (`sampleTimestep`), from its `contrastWeightFrom` an
 * object's cells more the closer its colour lies to the background's in RGB (`contrastFactor`), from
 * its `latentContrastFrom` the closer in the encoder's latent instead (`latentContrastFactor`), from
 * its `lowContrastScenesFrom` a third of the other scenes small objects on backgrounds close to their
 * colour in that latent (`LOW_CONTRAST_SCENE_SHARE`, `lowContrastPairs`).
 */
export function diffusionStage(encoder: TrainedEncoder, curriculum: StageCurriculum = {}): StageDefinition {
  const graph = diffusionTrainingGraph(initialNetwork('text_encoder'), initialNetwork('unet'));
  const schedule = toyNoiseSchedule();
  const tokenizer = toyTokenizer().encoder;
  const side = TOY_UNET.sampleSize;
  const contrast = lazyLatentContrast(encoder.session);
  const contrastAt = async (step: number): Promise<ContrastFactor | undefined> => {
    if (switchedOn(curriculum.latentContrastFrom, step)) return contrast.factor();
    return switchedOn(curriculum.contrastWeightFrom, step) ? contrastFactor : undefined;
  };
  return {
    name: 'diffusion',
    graph,
    batch: async (rng: Rng, batchSize: number, step: number) => {
      const options = await encodedSceneOptionsAt(curriculum, step, contrast);
      const { scenes, pixels } = randomImageBatch(rng.fork('images'), batchSize, (r) => trainingScene(r, options));
      const latents = (await encoder.session.run({ sample: pixels }))['latent_sample']!.data as Float32Array;
      const ids = new Int32Array(batchSize * 77);
      const timesteps = new BigInt64Array(batchSize);
      const noisy = new Float32Array(batchSize * TOY_LATENT_SIZE);
      const target = new Float32Array(batchSize * TOY_LATENT_SIZE);
      const noise = rng.fork('noise').fillNormal(new Float32Array(batchSize * TOY_LATENT_SIZE));
      const pick = rng.fork('timesteps');
      const choose = rng.fork('mid-noise');
      const midNoise = switchedOn(curriculum.midNoiseFrom, step);
      const words = rng.fork('captions');
      for (let n = 0; n < batchSize; n++) {
        const text = words.uniform() < CAPTION_DROPOUT ? '' : trainingCaption(scenes[n]!, words.fork(n));
        ids.set(tokenizer.encodePadded(text), n * 77);
        const t = sampleTimestep(pick, choose, schedule.length, scenes[n]!, midNoise);
        timesteps[n] = BigInt(t);
        const x0 = latents.subarray(n * TOY_LATENT_SIZE, (n + 1) * TOY_LATENT_SIZE).map((v) => v * encoder.scalingFactor);
        schedule.noiseSample(x0, noise.subarray(n * TOY_LATENT_SIZE, (n + 1) * TOY_LATENT_SIZE), t, noisy, target, n * TOY_LATENT_SIZE);
      }
      return {
        input_ids: new Tensor('int32', ids, [batchSize, 77]),
        sample: new Tensor('float32', noisy, toyLatentShape(batchSize)),
        timestep: new Tensor('int64', timesteps, [batchSize]),
        target: new Tensor('float32', target, toyLatentShape(batchSize)),
        cell_weights: objectCellWeights(
          scenes,
          side,
          switchedOn(curriculum.objectWeightFrom, step) ? OBJECT_CELL_WEIGHT : 1,
          switchedOn(curriculum.smallBoxWeightFrom, step) ? SMALL_BOX_WEIGHT_FACTOR : 1,
          await contrastAt(step),
        ),
      };
    },
  };
}
