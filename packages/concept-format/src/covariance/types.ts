/** Element type a covariance file stores its matrix in. Values are always handed out as float64. */
export type CovarianceDType = 'float32' | 'float64';

/**
 * The uncentred covariance C = (1/n) Σ e eᵀ of a base model's text encodings over a caption corpus
 * (what `@perfusion/key-lock`'s `CovarianceAccumulator.finalize()` returns, plus where it came from).
 */
export interface CovarianceData {
  /** C, row-major d × d, symmetric. */
  matrix: Float64Array | Float32Array;
  /** d: the text encoding width (768 for SD 1.x). */
  dim: number;
  /** n: the number of encodings (token rows) averaged, > 0. */
  count: number;
  /** The base-model fingerprint (`@perfusion/unet`'s `baseModelFingerprint`) of the model whose text encoder made the encodings. */
  fingerprint: string;
  /** How many captions the rows came from. */
  captions: number;
  /** The mean encoding (1/n) Σ e, length d, when known (diagnostics; C already includes it). */
  mean?: Float64Array | Float32Array;
  /** A label of the caption corpus (e.g. `'builtin:5000:seed0'` or a hash of the captions), when known. */
  corpus?: string;
  /** Free text naming the program that wrote the file. */
  createdBy?: string;
}

/** A covariance as read from a file: every value as float64, plus the file's format facts. */
export interface CovarianceFile extends CovarianceData {
  matrix: Float64Array;
  mean?: Float64Array;
  /** The file's format version (1). */
  formatVersion: number;
  /** The dtype the file stores its tensors in. */
  dtype: CovarianceDType;
}

/** What the caller knows about the model a covariance is about to be used with; every field optional. */
export interface CovarianceExpectation {
  /** The model's base-model fingerprint: another one throws {@link CovarianceMismatchError}. */
  fingerprint?: string;
  /** The text encoding width d. */
  dim?: number;
}
