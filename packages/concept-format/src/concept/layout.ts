/**
 * The names and limits of the concept file format, version 1 (docs/concept-format.md).
 */

/** Value of the `format` metadata key: tells a concept file from other safetensors files. */
export const CONCEPT_FORMAT = 'perfusion-concept';

/** The format version this package writes. */
export const CONCEPT_FORMAT_VERSION = 1;

/** Format versions this package reads. */
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = Object.freeze([1]);

/** Inference defaults written when the caller gives none (DESIGN.md: β = 0.7, τ = 0.15). */
export const DEFAULT_INFERENCE = Object.freeze({ beta: 0.7, tau: 0.15 });

/** `created_by` written when the caller gives none. */
export const DEFAULT_CREATED_BY = '@perfusion/concept-format';

/** Largest header a concept file may have (1 MiB; an SD-1.5 concept's header is about 2 KB). */
export const CONCEPT_MAX_HEADER_BYTES = 1 << 20;

/** Largest file accepted as a concept (64 MiB), checked before a file is read into memory. */
export const CONCEPT_MAX_FILE_BYTES = 64 << 20;

/** Tensor names. */
export const CONCEPT_TENSORS = Object.freeze({
  inputEncoding: 'input_encoding',
  superEncoding: 'super_encoding',
  wordEmbedding: 'word_embedding',
  valueTargets: 'value_targets',
} as const);

/** Metadata keys, in the order the writer emits them. */
export const CONCEPT_METADATA_KEYS = Object.freeze({
  format: 'format',
  formatVersion: 'format_version',
  token: 'token',
  supercategory: 'supercategory',
  baseModel: 'base_model',
  defaults: 'defaults',
  dtype: 'dtype',
  layers: 'layers',
  training: 'training',
  createdBy: 'created_by',
} as const);
