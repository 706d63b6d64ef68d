/**
 * Errors thrown by `@perfusion/concept-format`. Every error extends {@link ConceptFormatError} and
 * carries `file` (the path, or the label given for in-memory bytes) and `field` (the header key,
 * tensor or metadata entry at fault), and its message starts with `<file>: <field>:` and ends with
 * what to do. Catch the whole package's failures with `instanceof ConceptFormatError`, or one kind
 * by its class.
 */

/** Base class of every error this package throws. */
export class ConceptFormatError extends Error {
  constructor(
    /** The file path, or the label of in-memory bytes (`'<bytes>'` unless a source was given). */
    readonly file: string,
    /** What part of the file is at fault: a header key, tensor name or metadata key. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${field}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The file ends before the header size, the header or the tensor data it announces. */
export class TruncatedFileError extends ConceptFormatError {
  constructor(
    file: string,
    field: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
    what: string,
  ) {
    super(
      file,
      field,
      `the file is truncated: ${what} needs ${expectedBytes} bytes but the file has ${actualBytes}; ` +
        `the download or copy was probably cut short, fetch or write the file again.`,
    );
  }
}

/** The header size announced in the first 8 bytes exceeds the reader's limit. */
export class HeaderTooLargeError extends ConceptFormatError {
  constructor(
    file: string,
    readonly headerBytes: number | bigint,
    readonly limitBytes: number,
  ) {
    super(
      file,
      'header size',
      `the header claims ${String(headerBytes)} bytes, more than the limit of ${limitBytes}; ` +
        `this is not a safetensors file of the expected kind (or it is corrupt).`,
    );
  }
}

/** The header is not valid UTF-8 JSON of the expected structure (including duplicate names). */
export class MalformedHeaderError extends ConceptFormatError {
  constructor(file: string, field: string, reason: string) {
    super(file, field, `${reason}; the file is not valid safetensors — rewrite it with a conforming writer.`);
  }
}

/** A tensor's dtype is unknown, unsupported here, or not the one a concept file requires. */
export class TensorDTypeError extends ConceptFormatError {
  constructor(
    file: string,
    field: string,
    readonly found: string,
    readonly expected: readonly string[],
    advice: string,
  ) {
    super(file, field, `dtype '${found}' is not allowed here (expected ${expected.map((d) => `'${d}'`).join(' or ')}); ${advice}`);
  }
}

/** Tensor offsets, shapes and the data buffer do not agree (gaps, overlaps, sizes, trailing bytes). */
export class TensorLayoutError extends ConceptFormatError {
  constructor(file: string, field: string, reason: string) {
    super(file, field, `${reason}; the file is corrupt or was written by a non-conforming writer.`);
  }
}

/** A file larger than a concept file can be (checked before reading it into memory). */
export class FileTooLargeError extends ConceptFormatError {
  constructor(
    file: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      file,
      'file size',
      `the file has ${sizeBytes} bytes, more than a concept file may have (${limitBytes}); ` +
        `check that the path points at a concept file and not at a model's weights.`,
    );
  }
}

/** A metadata key that a concept file must have is absent. */
export class MissingMetadataError extends ConceptFormatError {
  constructor(file: string, key: string, what: string) {
    super(file, `__metadata__.${key}`, `missing: ${what}`);
  }
}

/** A metadata value is present but malformed (not the JSON, type or form the spec requires). */
export class InvalidMetadataError extends ConceptFormatError {
  constructor(file: string, key: string, reason: string) {
    super(file, `__metadata__.${key}`, reason);
  }
}

/** The concept file's `format_version` is newer than (or unknown to) this reader. */
export class UnsupportedFormatVersionError extends ConceptFormatError {
  constructor(
    file: string,
    readonly found: string,
    readonly supported: readonly number[],
  ) {
    super(
      file,
      '__metadata__.format_version',
      `format version ${found} is not supported (this reader knows ${supported.join(', ')}); ` +
        `the file was written by a newer Perfusion-TS — upgrade @perfusion/concept-format to read it.`,
    );
  }
}

/** A concept tensor is missing, unexpected, or has a shape that disagrees with the metadata. */
export class ConceptTensorError extends ConceptFormatError {
  constructor(file: string, field: string, reason: string) {
    super(file, field, reason);
  }
}

/** A concept value is NaN or ±Infinity (or becomes infinite in float16). */
export class NonFiniteValueError extends ConceptFormatError {
  constructor(
    file: string,
    field: string,
    readonly index: number,
    readonly value: number,
    advice: string,
  ) {
    super(file, field, `element ${index} is ${String(value)}; ${advice}`);
  }
}

/** The concept was trained for another base model (fingerprints differ). */
export class BaseModelMismatchError extends ConceptFormatError {
  constructor(
    file: string,
    readonly conceptFingerprint: string,
    readonly modelFingerprint: string,
  ) {
    super(
      file,
      '__metadata__.base_model.fingerprint',
      `the concept was trained for another model (concept fingerprint '${conceptFingerprint}', ` +
        `this model's fingerprint '${modelFingerprint}'); use it with the base model it was trained on, or retrain it on this one.`,
    );
  }
}

/** The model has cross-attention layers for which the concept holds no value target. */
export class MissingLayerError extends ConceptFormatError {
  constructor(
    file: string,
    readonly layers: readonly string[],
  ) {
    super(
      file,
      '__metadata__.layers',
      `the concept has no value target for ${layers.length} of the model's cross-attention layers ` +
        `(${preview(layers)}); it was made for a model with other layers — use the matching base model.`,
    );
  }
}

/** The concept holds value targets for layers the model does not have. */
export class UnexpectedLayerError extends ConceptFormatError {
  constructor(
    file: string,
    readonly layers: readonly string[],
  ) {
    super(
      file,
      '__metadata__.layers',
      `the concept has value targets for ${layers.length} layer(s) the model does not have ` +
        `(${preview(layers)}); it was made for a model with other layers — use the matching base model.`,
    );
  }
}

/** A layer exists in both concept and model but with different widths. */
export class LayerWidthMismatchError extends ConceptFormatError {
  constructor(
    file: string,
    readonly layer: string,
    readonly conceptWidth: number,
    readonly modelWidth: number,
  ) {
    super(
      file,
      `value_targets[${layer}]`,
      `width ${conceptWidth} in the concept but ${modelWidth} in the model's layer; ` +
        `the concept belongs to another model architecture — use the matching base model.`,
    );
  }
}

/** The concept's encoding (i*, i_super) or word embedding width differs from the model's. */
export class ConceptDimensionError extends ConceptFormatError {
  constructor(
    file: string,
    field: string,
    readonly conceptDim: number,
    readonly modelDim: number,
    what: string,
  ) {
    super(
      file,
      field,
      `${what} has ${conceptDim} values in the concept but the model expects ${modelDim}; ` +
        `the concept belongs to another text encoder — use the matching base model.`,
    );
  }
}

/** Reading or writing a concept file failed at the file-system level. */
export class ConceptIoError extends ConceptFormatError {
  constructor(file: string, operation: 'read' | 'write', cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      file,
      'file',
      `could not ${operation} the file (${detail}); ` +
        (operation === 'write'
          ? 'check the directory exists and is writable and the disk has space; no partial file was left behind.'
          : 'check the path and its permissions.'),
      { cause },
    );
  }
}

function preview(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => `'${n}'`);
  return names.length > 3 ? `${shown.join(', ')} and ${names.length - 3} more` : shown.join(', ');
}
