/**
 * Errors thrown by `@perfusion/encoders`. Every one extends {@link EncodersError}, so callers can
 * catch the package's failures with one `instanceof`; messages say what was wrong, where, and
 * what to do.
 */

/** Base class of every error this package throws on purpose. */
export class EncodersError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A tokenizer file (vocab.json, merges.txt, tokenizer_config.json, ...) is missing or malformed. */
export class TokenizerFileError extends EncodersError {
  constructor(
    readonly file: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${detail}`, options);
  }
}

/** A token given to `addToken` cannot be added (empty, or already in the vocabulary). */
export class AddedTokenError extends EncodersError {}

/** A model's inputs or outputs are not what the component expects (names, dtypes, channels). */
export class ModelInterfaceError extends EncodersError {}

/** A component's `config.json` is unreadable or has a field of the wrong type. */
export class ComponentConfigError extends EncodersError {}

/** An argument (ids, latents, images) has the wrong shape, dtype or values. */
export class EncoderInputError extends EncodersError {}

/** A PNG could not be read or written, or an image is malformed. */
export class ImageError extends EncodersError {}
