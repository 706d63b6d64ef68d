import { compatibility, type CompatibilityProblem } from './compatibility.js';
import { loadConcept } from './files.js';
import type { BaseModelRef, ConceptDType, InferenceDefaults, LayerSpec, ModelDescription, TrainingSummary } from './types.js';

/** What `perfusion inspect` prints about a concept file. */
export interface ConceptSummary {
  /** The path, or `'<bytes>'`. */
  file: string;
  formatVersion: number;
  token: string;
  supercategory: string;
  baseModel: BaseModelRef;
  defaults: InferenceDefaults;
  dtype: ConceptDType;
  createdBy?: string;
  training?: TrainingSummary;
  /** Width of i* and i_super (the text encoder's output width). */
  encodingDim: number;
  /** Width of the word embedding. */
  embeddingDim: number;
  /** Cross-attention layers with the width of their value targets, in the file's order. */
  layers: LayerSpec[];
  /** Number of stored values: value targets + i* + i_super + word embedding. */
  floats: number;
  /** Bytes: whole file; 8-byte size prefix + JSON header (padding included); tensor data. */
  sizes: { file: number; header: number; data: number };
  /** Every `__metadata__` entry as stored (strings), including keys this version does not use. */
  metadata: Readonly<Record<string, string>>;
  /** Present when a model was given: its problems with the concept (empty = compatible). */
  compatibility?: CompatibilityProblem[];
}

/**
 * Reads and validates a concept file (or its bytes) and summarises it: metadata, sizes, dtype,
 * layers, value count, and — given a model — compatibility problems instead of an exception.
 */
export async function inspectConcept(pathOrBytes: string | Uint8Array, model?: ModelDescription): Promise<ConceptSummary> {
  const { concept, container } = await loadConcept(pathOrBytes);
  const layers = concept.valueTargets.map(({ layer, width }) => ({ layer, width }));
  const floats = layers.reduce((sum, l) => sum + l.width, 0) + 2 * concept.inputEncoding.length + concept.wordEmbedding.length;
  return {
    file: container.source,
    formatVersion: concept.formatVersion,
    token: concept.token,
    supercategory: concept.supercategory,
    baseModel: concept.baseModel,
    defaults: concept.defaults,
    dtype: concept.dtype,
    ...(concept.createdBy === undefined ? {} : { createdBy: concept.createdBy }),
    ...(concept.training === undefined ? {} : { training: concept.training }),
    encodingDim: concept.inputEncoding.length,
    embeddingDim: concept.wordEmbedding.length,
    layers,
    floats,
    sizes: { file: container.byteLength, header: 8 + container.headerByteLength, data: container.dataByteLength },
    metadata: container.metadata,
    ...(model === undefined ? {} : { compatibility: compatibility(concept, model, container.source) }),
  };
}
