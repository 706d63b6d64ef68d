/**
 * Trains the toy model's networks, resumably:
 *   npm run train-base -w @perfusion/toymodel -- --stage autoencoder|decoder|diffusion [--work DIR] [--minutes N] [--steps N]
 *     [--total-steps N] [--decay-steps N] [--patterns-from STEP] [--object-weight-from STEP] [--box-weight-from STEP]
 *     [--small-box-weight-from STEP] [--hard-shapes-from STEP] [--small-scenes-from STEP] [--lookalike-shapes-from STEP] [--mid-noise-from STEP] [--contrast-weight-from STEP] [--latent-contrast-from STEP] [--low-contrast-scenes-from STEP] [--generated-latents-from STEP] [--learning-rate LR] [--from-model DIR]
 * Each stage keeps its checkpoint in <work>/<stage>/ and continues from it when run again. --steps and
 * --minutes bound this run; --total-steps / --decay-steps lengthen the stage beyond its committed
 * settings (src/training/stage-settings.ts), e.g. to train on in a later session; --patterns-from
 * sets the step from which scenes hold striped and checkered objects, --object-weight-from the step
 * from which the diffusion loss weighs the cells around objects up, --box-weight-from the step from
 * which the reconstruction loss weighs whole object boxes up, not only object pixels, --small-box-weight-from
 * the step from which a small object's box weighs as much in all as a large one's, --hard-shapes-from
 * the step from which a third of the scenes (diffusion or reconstruction) hold only small stars, crosses and rings,
 * --small-scenes-from the step from which a third of the scenes hold only small objects of any shape (gray backgrounds more often),
 * --lookalike-shapes-from the step from which a quarter hold only small diamonds, crosses and stars,
 * --mid-noise-from the step from which half of the small-only scenes' timesteps come from 200…599 (diffusion),
 * --contrast-weight-from the step from which an object's box (reconstruction) or latent cells (diffusion) weigh more the closer its colour is to the background's,
 * --latent-contrast-from the step from which the diffusion stage (or the decoder with --generated-latents-from) measures that closeness between the encoder's latents of the two colours instead of in RGB,
 * --low-contrast-scenes-from the step from which a third of the diffusion scenes, or the decoder's drawn ones with --generated-latents-from, (after lookalike ones) hold small objects on a background that latent puts close to their colour,
 * --learning-rate the peak learning rate (a new run's choice: a resume must keep the checkpoint's),
 * --generated-latents-from the step from which half of each decoder batch is latents the denoiser drew
 * (<work>/decoder/generated-latents.safetensors, from `npm run generate-latents`). The decoder stage
 * (the autoencoder's decoder alone, encoder frozen) may run beside the diffusion stage.
 * --from-model DIR (e.g. tools/toymodel/model) starts the stages this run needs that have no checkpoint
 * in <work> from that model folder's weights, at the steps it records, with the optimiser restarted:
 * how a fresh checkout, which holds the committed model but no checkpoints, trains on.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { autoencoderStage, decoderStage, diffusionStage, latentDecoderStage, loadTrainedEncoder } from '../src/training/stages.js';
import { trainStage, type StageSettings } from '../src/training/train-stage.js';
import { STAGE_SETTINGS } from '../src/training/stage-settings.js';
import { seedStagesFromModel } from '../src/training/seed-from-model.js';
import { resolveUserPath } from '../src/user-path.js';

/** Flags that override one numeric setting of the committed ones: the run's length, its decay, its peak learning rate and its switch steps. */
const SETTING_FLAGS = {
  'total-steps': 'steps',
  'learning-rate': 'learningRate',
  'decay-steps': 'decaySteps',
  'patterns-from': 'patternsFrom',
  'object-weight-from': 'objectWeightFrom',
  'box-weight-from': 'boxWeightFrom',
  'small-box-weight-from': 'smallBoxWeightFrom',
  'hard-shapes-from': 'hardShapesFrom',
  'small-scenes-from': 'smallScenesFrom',
  'lookalike-shapes-from': 'lookalikeShapesFrom',
  'mid-noise-from': 'midNoiseFrom',
  'contrast-weight-from': 'contrastWeightFrom',
  'latent-contrast-from': 'latentContrastFrom',
  'low-contrast-scenes-from': 'lowContrastScenesFrom',
  'generated-latents-from': 'generatedLatentsFrom',
} as const satisfies Record<string, keyof StageSettings>;

const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    work: { type: 'string', default: path.resolve(import.meta.dirname, '../.work') },
    minutes: { type: 'string' },
    steps: { type: 'string' },
    'from-model': { type: 'string' },
    ...Object.fromEntries(Object.keys(SETTING_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  },
});
const stageName = values.stage;
if (stageName !== 'autoencoder' && stageName !== 'decoder' && stageName !== 'diffusion') {
  console.error('usage: train-base --stage autoencoder|decoder|diffusion [--work DIR] [--minutes N] [--steps N] [--from-model DIR]');
  process.exit(2);
}
const work = resolveUserPath(values.work!);
// The options spread in from SETTING_FLAGS are strings like the rest; parseArgs's type cannot see them.
const flagValues = values as Partial<Record<keyof typeof SETTING_FLAGS, string>>;
const settings: StageSettings = {
  ...STAGE_SETTINGS[stageName],
  ...Object.fromEntries(
    (Object.entries(SETTING_FLAGS) as [keyof typeof SETTING_FLAGS, keyof StageSettings][])
      .filter(([flag]) => flagValues[flag] !== undefined)
      .map(([flag, key]) => [key, Number(flagValues[flag])]),
  ),
};
if (values['from-model'] !== undefined) {
  const modelDir = resolveUserPath(values['from-model']);
  const seeded = await seedStagesFromModel(modelDir, work, stageName, settings);
  console.log(seeded.length > 0 ? `seeded ${seeded.join(', ')} from ${modelDir} (optimiser restarted)` : `every stage this run needs has a checkpoint in ${work}; --from-model not used`);
}
const stage =
  stageName === 'autoencoder'
    ? autoencoderStage(settings)
    : stageName === 'decoder'
      ? settings.generatedLatentsFrom === undefined
        ? decoderStage(path.join(work, 'autoencoder'), settings)
        : await latentDecoderStage(path.join(work, 'autoencoder'), path.join(work, 'decoder'), settings)
      : diffusionStage(await loadTrainedEncoder(path.join(work, 'autoencoder'), path.join(work, 'diffusion')), settings);
let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
  console.error('\nstopping after this step (checkpoint follows)…');
});
const started = Date.now();
const result = await trainStage(stage, {
  workDir: path.join(work, stageName),
  settings,
  checkpointEvery: 100,
  ...(values.steps !== undefined && { maxSteps: Number(values.steps) }),
  ...(values.minutes !== undefined && { maxSeconds: Number(values.minutes) * 60 }),
  shouldStop: () => stopping,
  onProgress: (p) => {
    if (p.step % 10 !== 0 && !p.checkpointed) return;
    const eta = (p.steps - p.step) / Math.max(1e-9, p.stepsPerSecond);
    console.log(
      `${p.stage} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} mean ${p.meanLoss.toFixed(4)} lr ${p.learningRate.toExponential(2)} ` +
        `${p.stepsPerSecond.toFixed(2)} it/s eta ${(eta / 60).toFixed(0)} min${p.checkpointed ? ' [checkpoint]' : ''}`,
    );
  },
});
console.log(`${stageName}: at step ${result.step}/${settings.steps} after ${((Date.now() - started) / 60000).toFixed(1)} min; checkpoint in ${path.join(work, stageName)}`);
