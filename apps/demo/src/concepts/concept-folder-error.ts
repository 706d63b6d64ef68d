import { DemoError } from '../errors.js';

/** Why the concepts folder refused a name or a file; the API answers with `code` and the message. */
export type ConceptFolderErrorCode = 'invalid-name' | 'unknown-concept' | 'exists' | 'invalid-concept' | 'incompatible-concept';

/** A concept request the folder refuses: a bad name, a missing or existing file, a bad or incompatible concept. */
export class ConceptFolderError extends DemoError {
  constructor(
    readonly code: ConceptFolderErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
