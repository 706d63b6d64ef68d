import { TOY_PREDICTION_TYPE, toySchedulerConfig } from '../architecture.js';
import type { StageSettings } from './train-stage.js';

const scheduleName = (): string => {
  const c = toySchedulerConfig();
  return `${String(c['beta_schedule'])} ${String(c['beta_start'])}..${String(c['beta_end'])}`;
};

/**
 * The settings the committed toy model was trained with. Patterns came in mid-run (`patternsFrom`):
 * the world had flat objects only until the striped example concept showed that a concept cannot
 * draw a texture its base model never learnt. Object-weighted loss came later (`objectWeightFrom`),
 * when shapes had stalled while colour and place were right; box-weighted reconstruction
 * (`boxWeightFrom`) when the decoder was found filling the notches of small shapes, and small boxes
 * weighted up (`smallBoxWeightFrom`) when small shapes were all it still drew wrong, and a third of
 * the scenes made of small stars, crosses and rings (`hardShapesFrom`) for the last 1,000 steps. The
 * denoiser's last 3,000 steps (from 14,500) were trained in a later session from the exported model
 * of step 14,500 (`train-base --from-model`: its averaged weights, AdamW restarted with a fresh
 * warm-up), not from the checkpoint, which was gone; the run's plan ended at 16,500 (decay over
 * 15,800–16,500) before it was lengthened to 17,500 (decay over the last 500). The decoder's last
 * 3,000 steps were trained in the eighth session, again from exported models: from the one of step
 * 7,000 with hard shapes to 9,000 (decays over 7,700–8,000 and 8,700–9,000: two runs, the second
 * lengthening the first), then from the one of step 9,000 with half of each batch the latents the
 * denoiser of step 17,500 drew (`generatedLatentsFrom`; the pool of `generate-latents`' defaults).
 */
/** A stage of base training. */
export type BaseStageName = 'autoencoder' | 'decoder' | 'diffusion';

export const STAGE_SETTINGS: Readonly<Record<BaseStageName, StageSettings>> = {
  autoencoder: { seed: 1, batchSize: 16, learningRate: 1e-3, warmupSteps: 100, steps: 1200, decaySteps: 400, weightDecay: 0, averageDecay: 0.995 },
  decoder: {
    seed: 3,
    batchSize: 16,
    learningRate: 3e-4,
    warmupSteps: 50,
    steps: 10000,
    decaySteps: 300,
    weightDecay: 0,
    averageDecay: 0.995,
    patternsFrom: 1445,
    boxWeightFrom: 4000,
    smallBoxWeightFrom: 5800,
    hardShapesFrom: 7000,
    generatedLatentsFrom: 9000,
  },
  diffusion: {
    seed: 2,
    batchSize: 32,
    learningRate: 6e-4,
    warmupSteps: 200,
    steps: 17500,
    decaySteps: 500,
    weightDecay: 0.01,
    averageDecay: 0.999,
    schedule: scheduleName(),
    prediction: TOY_PREDICTION_TYPE,
    patternsFrom: 5165,
    objectWeightFrom: 9353,
    smallBoxWeightFrom: 14500,
    hardShapesFrom: 16500,
  },
};
