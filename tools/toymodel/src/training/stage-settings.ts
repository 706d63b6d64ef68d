import { TOY_PREDICTION_TYPE, toySchedulerConfig } from '../architecture.js';
import type { StageSettings } from './train-stage.js';

const scheduleName = (): string => {
  const c = toySchedulerConfig();
  return `${String(c['beta_schedule'])} ${String(c['beta_start'])}..${String(c['beta_end'])}`;
};

/** A stage of base training. */
export type BaseStageName = 'autoencoder' | 'decoder' | 'diffusion';

/**
 * The settings of the runs the committed toy model's weights come from: for each stage, the last run
 * (its length, peak learning rate, decay and the curriculum switches it ran with), so that
 * `train-base --from-model tools/toymodel/model` goes on as that run did. Patterns came in mid-run
 * (`patternsFrom`): the world had flat objects only until the striped example concept showed that a
 * concept cannot draw a texture its base model never learnt. Object-weighted loss came later
 * (`objectWeightFrom`), when shapes had stalled while colour and place were right; box-weighted
 * reconstruction (`boxWeightFrom`) when the decoder was found filling the notches of small shapes,
 * small boxes weighted up (`smallBoxWeightFrom`) when small shapes were all it still drew wrong, a
 * third of the scenes small stars, crosses and rings (`hardShapesFrom`; the denoiser's steps
 * 16,500–17,500, the decoder's from 7,000), the denoiser's own latents for the decoder
 * (`generatedLatentsFrom`), small scenes with more gray backgrounds (`smallScenesFrom`) and weights
 * that grow as an object's colour nears the background's (`contrastWeightFrom`) last.
 * Several runs restarted from exported models (`--from-model`: averaged weights, AdamW's moments
 * from zero, a fresh warm-up), because their checkpoints were gone or to change the learning rate:
 * the denoiser at 14,500, 17,500 (3·10⁻⁴), 21,000 (1.5·10⁻⁴), 23,000 and 24,500, the decoder at 7,000
 * and 9,000, the autoencoder at 1,200. The denoiser and text encoder of step 24,500 went on from an
 * average: the half-and-half weight average (`average-models`) of step 17,500 (hard shapes over
 * 16,500–17,500) and step 23,000 (hard shapes off, small scenes from 17,500, contrast weights from
 * 19,000), restarted from at step 23,000 for 1,500 steps with a quarter of the scenes small diamonds,
 * crosses and stars (`lookalikeShapesFrom`), the shapes the denoiser drew alike.
 * The committed autoencoder is that model's (whose decoder was the decoder stage's of step 12,000,
 * all the reconstruction weights on), trained on from step 1,200 to 2,200 with those weights and
 * patterns as a whole autoencoder, encoder included (`autoencoder` below); its decoder is the one the
 * model ships, so the committed model records no decoder stage, and `decoder` below is the decoder
 * stage of the model before it, the settings a decoder run starts from. The committed denoiser is
 * step 24,500 trained on to 25,500 on the new autoencoder's latents. docs/toy-model.md lists every
 * run and its command.
 */
export const STAGE_SETTINGS: Readonly<Record<BaseStageName, StageSettings>> = {
  autoencoder: {
    seed: 1,
    batchSize: 16,
    learningRate: 3e-4,
    warmupSteps: 100,
    steps: 2200,
    decaySteps: 200,
    weightDecay: 0,
    averageDecay: 0.995,
    patternsFrom: 1200,
    boxWeightFrom: 1200,
    smallBoxWeightFrom: 1200,
    hardShapesFrom: 1200,
    smallScenesFrom: 1200,
    contrastWeightFrom: 1200,
  },
  decoder: {
    seed: 3,
    batchSize: 16,
    learningRate: 3e-4,
    warmupSteps: 50,
    steps: 12000,
    decaySteps: 300,
    weightDecay: 0,
    averageDecay: 0.995,
    patternsFrom: 1445,
    boxWeightFrom: 4000,
    smallBoxWeightFrom: 5800,
    hardShapesFrom: 7000,
    generatedLatentsFrom: 9000,
    contrastWeightFrom: 10000,
  },
  diffusion: {
    seed: 2,
    batchSize: 32,
    learningRate: 1.5e-4,
    warmupSteps: 200,
    steps: 25500,
    decaySteps: 500,
    weightDecay: 0.01,
    averageDecay: 0.999,
    schedule: scheduleName(),
    prediction: TOY_PREDICTION_TYPE,
    patternsFrom: 5165,
    objectWeightFrom: 9353,
    smallBoxWeightFrom: 14500,
    smallScenesFrom: 17500,
    contrastWeightFrom: 19000,
    lookalikeShapesFrom: 23000,
  },
};
