/** Element type a concept file stores its tensors in. Values are always handed out as float32. */
export type ConceptDType = 'float32' | 'float16';

/** A cross-attention layer: the V projection's MatMul name minus `/to_v/MatMul`, and its output width. */
export interface LayerSpec {
  readonly layer: string;
  readonly width: number;
}

/** o*_V of one cross-attention layer. */
export interface ValueTarget {
  layer: string;
  width: number;
  /** [width] values. */
  target: Float32Array;
}

/**
 * The tensors of a Perfusion concept, as shared with `@perfusion/key-lock` (same shape, declared in
 * both packages; TypeScript's structural typing makes them one type). Keys are not stored: o*_K =
 * i_super · W_K is recomputed at load.
 */
export interface ConceptTensors {
  /** The prompt word that calls the concept, e.g. `'<my-cat>'`. */
  token: string;
  /** The supercategory word, e.g. `'cat'`. */
  supercategory: string;
  /** i* [d]: EMA of the text-encoder output at the concept token. */
  inputEncoding: Float32Array;
  /** i_super [d]: text-encoder output at the supercategory word. */
  superEncoding: Float32Array;
  /** [d_emb]: the concept token's input word embedding. */
  wordEmbedding: Float32Array;
  /** o*_V per cross-attention layer, in the model's layer order. */
  valueTargets: ValueTarget[];
}

/** The base model a concept was trained on. */
export interface BaseModelRef {
  /** The unet package's fingerprint of the model's cross-attention layers and K/V weights. */
  fingerprint: string;
  /** A human-readable name, e.g. `'stable-diffusion-v1-5'`; informative only. */
  name?: string;
}

/** Inference defaults stored with a concept (the gate's bias β and temperature τ). */
export interface InferenceDefaults {
  beta: number;
  tau: number;
}

/** Any JSON value. */
export type JsonData = null | boolean | number | string | JsonData[] | { [key: string]: JsonData };

/** Free-form training summary (steps, seed, loss, …): a JSON object. */
export type TrainingSummary = { [key: string]: JsonData };

/** A concept as read from a file: its tensors plus everything the file's metadata says. */
export interface ConceptFile extends ConceptTensors {
  /** The file's format version (1). */
  formatVersion: number;
  baseModel: BaseModelRef;
  defaults: InferenceDefaults;
  /** The dtype the file stores its tensors in. */
  dtype: ConceptDType;
  training?: TrainingSummary;
  /** Free text naming the program that wrote the file. */
  createdBy?: string;
}

/**
 * What {@link writeConcept} / {@link encodeConcept} take: the tensors plus the base model, with the
 * rest optional. A {@link ConceptFile} read from disk is accepted as is (its `formatVersion` and
 * `dtype` are ignored: files are always written in the current version and the dtype of the options).
 */
export interface ConceptToWrite extends ConceptTensors {
  baseModel: BaseModelRef;
  /** Default { beta: 0.7, tau: 0.15 }. */
  defaults?: InferenceDefaults;
  training?: TrainingSummary;
  /** Default `'@perfusion/concept-format'`. */
  createdBy?: string;
  formatVersion?: number;
  dtype?: ConceptDType;
}

/** What the caller knows about the model a concept is about to be used with; every field optional. */
export interface ConceptExpectation {
  fingerprint?: string;
  layers?: readonly LayerSpec[];
  /** Width of the token embedding table (the word embedding's length). */
  embeddingDim?: number;
  /** Width of the text encoder's output (the length of i* and i_super). */
  encodingDim?: number;
}

/** A model as {@link compatibility} compares it with a concept. */
export interface ModelDescription {
  fingerprint: string;
  layers: readonly LayerSpec[];
  embeddingDim: number;
  encodingDim?: number;
}
