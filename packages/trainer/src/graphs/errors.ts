import { TrainerError } from '../errors.js';

/** A training graph could not be built or written (the cause says why). */
export class TrainingGraphError extends TrainerError {}

/** Wraps a failure to build `what` from `modelPath`, keeping the original as `cause`. */
export function asTrainingGraphError(error: unknown, what: string, modelPath: string): TrainingGraphError {
  if (error instanceof TrainingGraphError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TrainingGraphError(
    `Cannot build ${what} from ${modelPath}: ${reason}\n` +
      'Check that the model folder is writable (the graph is cached beside it) or pass a cache folder on the same file system.',
    { cause: error },
  );
}
