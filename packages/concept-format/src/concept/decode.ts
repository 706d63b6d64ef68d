import { float16ToFloat32 } from '@perfusion/tensor-core';
import { ConceptTensorError, FileTooLargeError, NonFiniteValueError, TensorDTypeError } from '../errors.js';
import { readSafetensors, type SafetensorsFile, type SafetensorsTensor } from '../safetensors/read.js';
import { locateValueTarget } from './checks.js';
import { assertCompatible } from './compatibility.js';
import { CONCEPT_MAX_FILE_BYTES, CONCEPT_MAX_HEADER_BYTES, CONCEPT_TENSORS as TENSOR } from './layout.js';
import { parseConceptMetadata, type ConceptMetadata } from './metadata.js';
import type { ConceptExpectation, ConceptFile, LayerSpec } from './types.js';

export interface DecodeConceptOptions {
  /** The label errors name; default `'<bytes>'`. */
  source?: string;
  /** What the model the concept is for looks like; any mismatch throws (see {@link compatibility}). */
  expect?: ConceptExpectation;
}

/** A decoded concept with the container facts {@link inspectConcept} reports. */
export interface DecodedConcept {
  concept: ConceptFile;
  container: SafetensorsFile;
}

const NON_FINITE_STORED = 'a concept file must hold finite values only; the file is damaged or its training diverged — retrain or re-export the concept.';

/**
 * Parses and validates the bytes of a concept file (docs/concept-format.md, "Validation"): the
 * safetensors container, then the metadata (format, version, token, supercategory, base model,
 * defaults, dtype, layers), then the tensors (exactly the four names, one dtype matching the
 * metadata, 1-D shapes agreeing with each other and with the layer widths, finite values), then —
 * when `expect` is given — compatibility with the model. Values come back as float32 (float16 files
 * are widened exactly).
 */
export function decodeConcept(bytes: Uint8Array, options: DecodeConceptOptions = {}): ConceptFile {
  return decodeConceptDetailed(bytes, options).concept;
}

/** {@link decodeConcept}, also returning the parsed container. */
export function decodeConceptDetailed(bytes: Uint8Array, options: DecodeConceptOptions = {}): DecodedConcept {
  const file = options.source ?? '<bytes>';
  if (bytes.length > CONCEPT_MAX_FILE_BYTES) throw new FileTooLargeError(file, bytes.length, CONCEPT_MAX_FILE_BYTES);
  const container = readSafetensors(bytes, file, { maxHeaderBytes: CONCEPT_MAX_HEADER_BYTES });
  const meta = parseConceptMetadata(file, container.metadata);
  const tensors = checkTensorSet(file, container);

  const stored = meta.dtype === 'float32' ? 'F32' : 'F16';
  for (const t of Object.values(tensors)) checkDType(file, t, stored, meta);

  const d = lengthOf(file, tensors.input);
  const superLength = lengthOf(file, tensors.super);
  if (superLength !== d) {
    throw new ConceptTensorError(file, TENSOR.superEncoding, `has ${superLength} values but input_encoding has ${d}; both are text-encoder outputs of the same width.`);
  }
  lengthOf(file, tensors.word);
  const total = meta.layers.reduce((sum, l) => sum + l.width, 0);
  const stacked = lengthOf(file, tensors.values);
  if (stacked !== total) {
    throw new ConceptTensorError(
      file,
      TENSOR.valueTargets,
      `has ${stacked} values but the widths in __metadata__.layers add up to ${total}; the file is damaged or its metadata was edited by hand.`,
    );
  }

  const inputEncoding = floats(file, tensors.input, TENSOR.inputEncoding);
  const superEncoding = floats(file, tensors.super, TENSOR.superEncoding);
  const wordEmbedding = floats(file, tensors.word, TENSOR.wordEmbedding);
  const all = floats(file, tensors.values, TENSOR.valueTargets, meta.layers);
  let at = 0;
  const valueTargets = meta.layers.map(({ layer, width }) => {
    const target = all.slice(at, at + width);
    at += width;
    return { layer, width, target };
  });

  const concept: ConceptFile = {
    formatVersion: meta.formatVersion,
    token: meta.token,
    supercategory: meta.supercategory,
    baseModel: meta.baseModel,
    defaults: meta.defaults,
    dtype: meta.dtype,
    inputEncoding,
    superEncoding,
    wordEmbedding,
    valueTargets,
    ...(meta.training === undefined ? {} : { training: meta.training }),
    ...(meta.createdBy === undefined ? {} : { createdBy: meta.createdBy }),
  };
  if (options.expect) assertCompatible(concept, options.expect, file);
  return { concept, container };
}

interface ConceptTensorSet {
  input: SafetensorsTensor;
  super: SafetensorsTensor;
  word: SafetensorsTensor;
  values: SafetensorsTensor;
}

function checkTensorSet(file: string, container: SafetensorsFile): ConceptTensorSet {
  const known = new Set<string>(Object.values(TENSOR));
  for (const t of container.tensors) {
    if (!known.has(t.name)) {
      throw new ConceptTensorError(
        file,
        t.name,
        `unexpected tensor; a version-1 concept file holds exactly ${[...known].join(', ')} (a file with more was written by a newer, incompatible version).`,
      );
    }
  }
  const need = (name: string): SafetensorsTensor => {
    const t = container.tensor(name);
    if (t === undefined) throw new ConceptTensorError(file, name, 'missing: every concept file holds this tensor; the file is incomplete — re-export the concept.');
    return t;
  };
  return { input: need(TENSOR.inputEncoding), super: need(TENSOR.superEncoding), word: need(TENSOR.wordEmbedding), values: need(TENSOR.valueTargets) };
}

function checkDType(file: string, t: SafetensorsTensor, stored: 'F32' | 'F16', meta: ConceptMetadata): void {
  if (t.dtype === stored) return;
  if (t.dtype === 'F32' || t.dtype === 'F16') {
    throw new TensorDTypeError(
      file,
      `${t.name}.dtype`,
      t.dtype,
      [stored],
      `__metadata__.dtype says '${meta.dtype}' and all tensors of a concept file share that dtype (mixed dtypes are not allowed); re-export the concept.`,
    );
  }
  throw new TensorDTypeError(file, `${t.name}.dtype`, t.dtype, ['F32', 'F16'], 'concept tensors hold floating-point values in F32 or F16 only; re-export the concept.');
}

function lengthOf(file: string, t: SafetensorsTensor): number {
  if (t.shape.length !== 1) throw new ConceptTensorError(file, `${t.name}.shape`, `must be one-dimensional [n], got [${t.shape.join(', ')}].`);
  const n = t.shape[0]!;
  if (n === 0) throw new ConceptTensorError(file, `${t.name}.shape`, 'is empty ([0]); a concept tensor holds at least one value.');
  return n;
}

/** Decodes F32 or F16 little-endian values to float32 and checks they are finite. */
function floats(file: string, t: SafetensorsTensor, field: string, layers?: readonly LayerSpec[]): Float32Array {
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const n = t.shape[0]!;
  const out = new Float32Array(n);
  if (t.dtype === 'F32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i]!)) {
      const where = layers ? locateValueTarget(layers, i) : { field, index: i };
      throw new NonFiniteValueError(file, where.field, where.index, out[i]!, NON_FINITE_STORED);
    }
  }
  return out;
}
