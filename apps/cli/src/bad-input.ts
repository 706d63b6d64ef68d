import { ConceptFormatError } from '@perfusion/concept-format';
import { ConceptConstructionError, InvalidRequestError, ModelFolderError } from '@perfusion/pipeline';
import { CheckpointError, TrainingDataError, TrainingSetupError } from '@perfusion/trainer';
import { AlreadyPatchedError, CrossAttentionStructureError, NoCrossAttentionError } from '@perfusion/unet';

/**
 * Errors that mean the input was wrong rather than the work failing: a concept file that is
 * missing, malformed or made for another model (concept-format's typed errors), a request or a
 * model folder the pipeline refuses, words a concept cannot be built from, a UNet without
 * cross-attention that Perfusion can patch, and for training: a token or supercategory the model
 * cannot use, an image folder without usable images, an unreadable image, a checkpoint of another
 * run. `perfusion` prints their message and exits with 2 (EXIT_USAGE); other errors (a model call
 * that failed, a file that could not be written) exit with 1.
 */
export function isBadInput(error: unknown): boolean {
  return (
    error instanceof ConceptFormatError ||
    error instanceof InvalidRequestError ||
    error instanceof ModelFolderError ||
    error instanceof ConceptConstructionError ||
    error instanceof NoCrossAttentionError ||
    error instanceof CrossAttentionStructureError ||
    error instanceof AlreadyPatchedError ||
    error instanceof TrainingSetupError ||
    error instanceof TrainingDataError ||
    error instanceof CheckpointError
  );
}
