/** Inputs and outputs the trainer adds to the graphs it differentiates. */

/** UNet training graph input: the noise (or v) the UNet should predict, float32, shaped like `sample`. */
export const TRAINING_TARGET_INPUT = 'perfusion_training/target';
/**
 * UNet training graph input: float32 `[batch, 1, h, w]` loss weights (mask × normalisation), so the
 * loss is Σ w·(prediction − target)² summed over channels too.
 */
export const TRAINING_WEIGHTS_INPUT = 'perfusion_training/loss_weights';
/** The scalar loss both training graphs compute. */
export const TRAINING_LOSS_OUTPUT = 'perfusion_training/loss';
/** Text-encoder VJP graph input: the gradient of the training loss w.r.t. `last_hidden_state`, float32. */
export const UPSTREAM_GRADIENT_INPUT = 'perfusion_training/upstream';
/** The text encoder's output the VJP graph differentiates. */
export const TEXT_ENCODER_OUTPUT = 'last_hidden_state';
