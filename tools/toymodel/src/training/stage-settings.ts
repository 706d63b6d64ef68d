import type { StageSettings } from './train-stage.js';

/** The settings the committed toy model was trained with. */
export const STAGE_SETTINGS: Readonly<Record<'autoencoder' | 'diffusion', StageSettings>> = {
  autoencoder: { seed: 1, batchSize: 16, learningRate: 1e-3, warmupSteps: 100, steps: 1200, decaySteps: 400, weightDecay: 0, averageDecay: 0.995 },
  diffusion: { seed: 2, batchSize: 32, learningRate: 6e-4, warmupSteps: 200, steps: 3600, decaySteps: 1000, weightDecay: 0.01, averageDecay: 0.999 },
};
