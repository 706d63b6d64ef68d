import type { TrainingSummary } from '@perfusion/concept-format';
import type { TrainingImageSet } from '../data/load-training-images.js';
import type { ResolvedTrainingRequest } from './request.js';
import type { TrainingState } from './training-state.js';

/**
 * What makes two runs the same run: base model, data (file hashes), token, and every setting that
 * changes the numbers. A checkpoint stores it; resuming with a different one is refused, since the
 * result would match neither run.
 */
export function runIdentity(request: ResolvedTrainingRequest, modelFingerprint: string, images: TrainingImageSet): Record<string, unknown> {
  return {
    model: modelFingerprint,
    images: images.images.map((image) => ({ name: image.name, sha256: image.sha256, mask: image.maskSha256 ?? null })),
    token: request.token,
    supercategory: request.supercategory,
    steps: request.steps,
    ...numericSettings(request),
    templates: request.templates,
  };
}

/**
 * The settings that shape the numbers of a run, as JSON. `keys` appears only when the keys are
 * trained: a locked run's identity and summary stay as they were before the option existed, so its
 * checkpoints still resume and its concept files keep their bytes, while the two modes still differ.
 */
function numericSettings(request: ResolvedTrainingRequest) {
  return {
    batchSize: request.batchSize,
    microBatchSize: request.microBatchSize,
    valueLearningRate: request.valueLearningRate,
    embeddingLearningRate: request.embeddingLearningRate,
    weightDecay: request.weightDecay,
    resolution: request.resolution,
    seed: request.seed,
    flips: request.flips,
    gate: { beta: request.gate.beta, tau: request.gate.tau },
    emaDecay: request.emaDecay,
    ...(request.keys === 'trained' && { keys: request.keys }),
  };
}

/** The training summary stored in the concept file's metadata: settings and losses, no clock times (so a resumed run writes the same bytes). */
export function trainingSummary(request: ResolvedTrainingRequest, state: TrainingState, images: TrainingImageSet): TrainingSummary {
  const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  const window = Math.max(1, Math.min(10, Math.floor(state.losses.length / 4)));
  return {
    method: 'perfusion',
    optimizer: 'AdamW',
    steps: state.step,
    ...numericSettings(request),
    images: images.images.length,
    masks: images.images.filter((image) => image.maskFile !== undefined).length,
    templates: request.templates.length,
    initialLoss: mean(state.losses.slice(0, window)),
    finalLoss: mean(state.losses.slice(-window)),
  };
}
