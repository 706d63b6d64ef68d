/**
 * Trains the toy model's networks, resumably:
 *   npm run train-base -w @perfusion/toymodel -- --stage autoencoder|decoder|diffusion [--work DIR] [--minutes N] [--steps N]
 *     [--total-steps N] [--decay-steps N] [--learning-rate LR] [--<switch>-from STEP …] [--from-model DIR]
 * Each stage keeps its checkpoint in <work>/<stage>/ and continues from it when run again. --steps and
 * --minutes bound this run; --total-steps / --decay-steps lengthen the stage beyond its committed
 * settings (src/training/stage-settings.ts), e.g. to train on in a later session; --learning-rate sets
 * the peak learning rate (a new run's choice: a resume must keep the checkpoint's). Each curriculum
 * switch has a flag, its key in kebab case, giving the step it switches on at: --patterns-from,
 * --object-weight-from, --box-weight-from, --small-box-weight-from, --hard-shapes-from, --small-scenes-from,
 * --lookalike-shapes-from, --mid-noise-from, --contrast-weight-from, --latent-contrast-from,
 * --low-contrast-scenes-from, --generated-latents-from (what each does: `StageCurriculum` in
 * src/training/curriculum.ts). --generated-latents-from needs <work>/decoder/generated-latents.safetensors,
 * from `npm run generate-latents`. The decoder stage
 * (the autoencoder's decoder alone, encoder frozen) may run beside the diffusion stage.
 * --from-model DIR (e.g. tools/toymodel/model) starts the stages this run needs that have no checkpoint
 * in <work> from that model folder's weights, at the steps it records, with the optimiser restarted:
 * how a fresh checkout, which holds the committed model but no checkpoints, trains on. A stage the
 * folder does not record (the committed model's decoder is its autoencoder stage's, so it records no
 * decoder stage) starts as a fresh run of it would, the decoder stage from the autoencoder's decoder.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { autoencoderStage, decoderStage, diffusionStage, latentDecoderStage, loadTrainedEncoder } from '../src/training/stages.js';
import { trainStage, type StageSettings } from '../src/training/train-stage.js';
import { STAGE_SETTINGS } from '../src/training/stage-settings.js';
import { SWITCH_STEPS, switchFlag } from '../src/training/curriculum.js';
import { seedStagesFromModel } from '../src/training/seed-from-model.js';
import { resolveUserPath } from '../src/user-path.js';

/** Flags that override one numeric setting of the committed ones: the run's length, its decay, its peak learning rate and its switch steps. */
const SETTING_FLAGS: Readonly<Record<string, keyof StageSettings>> = {
  'total-steps': 'steps',
  'learning-rate': 'learningRate',
  'decay-steps': 'decaySteps',
  ...Object.fromEntries(SWITCH_STEPS.map((key) => [switchFlag(key), key])),
};

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
  const settingFlags = Object.keys(SETTING_FLAGS).map((flag) => `[--${flag} N]`);
  console.error(`usage: train-base --stage autoencoder|decoder|diffusion [--work DIR] [--minutes N] [--steps N] [--from-model DIR] ${settingFlags.join(' ')}`);
  process.exit(2);
}
const work = resolveUserPath(values.work!);
// The options spread in from SETTING_FLAGS are strings like the rest; parseArgs's type cannot see them.
const flagValues = values as Partial<Record<string, string>>;
const settings: StageSettings = {
  ...STAGE_SETTINGS[stageName],
  ...Object.fromEntries(
    Object.entries(SETTING_FLAGS)
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
