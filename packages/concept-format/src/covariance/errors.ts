import { ConceptFormatError } from '../errors.js';

/**
 * A covariance file's tensors or metadata do not describe a valid covariance (wrong shape, not
 * symmetric, negative diagonal, bad counts, file too large). `field` names the tensor or metadata key.
 */
export class CovarianceFileError extends ConceptFormatError {}

/**
 * The covariance was computed for another model: its base-model fingerprint (or encoding width)
 * differs from the one expected. `field` is `__metadata__.fingerprint` or `__metadata__.dim`.
 */
export class CovarianceMismatchError extends ConceptFormatError {
  constructor(
    file: string,
    field: string,
    /** What the file holds. */
    readonly found: string | number,
    /** What the caller expected. */
    readonly expected: string | number,
    what: string,
  ) {
    super(
      file,
      field,
      `the covariance was computed for another model (${what} ${JSON.stringify(found)} in the file, ${JSON.stringify(expected)} expected); ` +
        `compute it for this model (\`perfusion covariance --model DIR\`, or pipeline.covariance({ recompute: true })) or delete the file.`,
    );
  }
}
