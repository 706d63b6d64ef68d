import { ConceptFormatError } from '@perfusion/concept-format';
import { ConceptConstructionError, InvalidRequestError, ModelFolderError } from '@perfusion/pipeline';

/**
 * Errors that mean the input was wrong rather than the work failing: a concept file that is
 * missing, malformed or made for another model (concept-format's typed errors), a request or a
 * model folder the pipeline refuses, words a concept cannot be built from. `perfusion` prints
 * their message and exits with 2 (EXIT_USAGE); other errors exit with 1.
 */
export function isBadInput(error: unknown): boolean {
  return (
    error instanceof ConceptFormatError ||
    error instanceof InvalidRequestError ||
    error instanceof ModelFolderError ||
    error instanceof ConceptConstructionError
  );
}
