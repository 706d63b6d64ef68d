/**
 * The names and limits of the covariance file format, version 1 (README, "Covariance files").
 */

/** Value of the `format` metadata key: tells a covariance file from other safetensors files. */
export const COVARIANCE_FORMAT = 'perfusion-covariance';

/** The format version this package writes. */
export const COVARIANCE_FORMAT_VERSION = 1;

/** Format versions this package reads. */
export const SUPPORTED_COVARIANCE_VERSIONS: readonly number[] = Object.freeze([1]);

/** `created_by` written when the caller gives none. */
export const DEFAULT_COVARIANCE_CREATED_BY = '@perfusion/concept-format';

/** Largest header a covariance file may have (1 MiB; its header is a few hundred bytes). */
export const COVARIANCE_MAX_HEADER_BYTES = 1 << 20;

/**
 * Largest file accepted as a covariance (512 MiB, checked before a file is read into memory): a
 * float64 d × d matrix of d = 8,000. SD 1.x (d = 768) needs 4.7 MB in float64, 2.4 MB in float32.
 */
export const COVARIANCE_MAX_FILE_BYTES = 512 << 20;

/** Tensor names. */
export const COVARIANCE_TENSORS = Object.freeze({
  /** C, [d, d]. */
  matrix: 'covariance',
  /** The mean encoding, [d] (optional; diagnostics only — C already includes it). */
  mean: 'mean',
} as const);

/** Metadata keys, in the order the writer emits them. */
export const COVARIANCE_METADATA_KEYS = Object.freeze({
  format: 'format',
  formatVersion: 'format_version',
  fingerprint: 'fingerprint',
  dim: 'dim',
  count: 'count',
  captions: 'captions',
  corpus: 'corpus',
  dtype: 'dtype',
  createdBy: 'created_by',
} as const);
