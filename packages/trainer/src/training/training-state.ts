import type { AdamMoments } from '../optim/adamw.js';

/**
 * Everything a run carries from one step to the next: the trainable values, the optimiser's state,
 * i* (its running average) and the losses so far. A checkpoint is exactly this plus the settings.
 */
export interface TrainingState {
  /** Steps completed. */
  step: number;
  /** o*_V per cross-attention layer, in the model's layer order. */
  readonly valueTargets: Float32Array[];
  /** The concept token's word embedding. */
  readonly embedding: Float32Array;
  /** i*: exponential moving average of the concept token's encoding (float64). */
  readonly inputEncoding: Float64Array;
  /**
   * The encoding the keys are computed from: i_super, the supercategory's encoding averaged over the
   * prompt templates — fixed while keys are locked, trained (from i_super) when they are not.
   */
  readonly superEncoding: Float32Array;
  /** Adam's moments: one entry per value target, then the embedding's, then superEncoding's when keys are trained. */
  readonly moments: AdamMoments[];
  /** The loss of every completed step. */
  readonly losses: number[];
}
