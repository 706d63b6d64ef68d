import { TrainerError } from '../errors.js';

/** The training request cannot work with this model or these arguments (the message says which and what to do). */
export class TrainingSetupError extends TrainerError {}

/** A checkpoint file is missing, malformed, or belongs to another run. */
export class CheckpointError extends TrainerError {}

/** Training stopped because a model call failed; `cause` is onnxruntime's error. */
export class TrainingFailedError extends TrainerError {}
