import { float16ToFloat32, toFloat16Array } from '@perfusion/tensor-core';
import { ConceptTensorError, InvalidMetadataError, NonFiniteValueError } from '../errors.js';
import { float16Bytes, float32Bytes } from '../safetensors/tensor-data.js';
import { writeSafetensors, type RawSafetensorsTensor } from '../safetensors/write.js';
import {
  checkDefaults,
  checkFinite,
  checkFloat32Array,
  checkJsonObject,
  checkNonEmptyString,
  checkSupercategory,
  checkToken,
  describe,
  locateValueTarget,
} from './checks.js';
import {
  CONCEPT_FORMAT,
  CONCEPT_FORMAT_VERSION,
  CONCEPT_MAX_HEADER_BYTES,
  CONCEPT_METADATA_KEYS as KEY,
  CONCEPT_TENSORS as TENSOR,
  DEFAULT_CREATED_BY,
  DEFAULT_INFERENCE,
} from './layout.js';
import type { ConceptDType, ConceptToWrite } from './types.js';

export interface EncodeConceptOptions {
  /** Element type of the stored tensors; default `'float32'`. float16 rounds to nearest, ties to even. */
  dtype?: ConceptDType;
  /** The label errors name (the destination path, say); default `'<concept>'`. */
  target?: string;
}

const NON_FINITE_INPUT = 'concept values must be finite; the training or construction that produced it diverged — fix it before saving.';

/**
 * Serialises a concept to the bytes of a concept file (docs/concept-format.md). Everything is
 * checked first — token and supercategory form, Float32Array lengths, layer names and widths,
 * finite values (and values that overflow float16), β/τ, the training summary — with the same typed
 * errors the reader throws, so nothing invalid is ever written. The output is a pure function of
 * the input, byte for byte.
 */
export function encodeConcept(concept: ConceptToWrite, options: EncodeConceptOptions = {}): Uint8Array {
  const file = options.target ?? '<concept>';
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') {
    throw new InvalidMetadataError(file, KEY.dtype, `must be 'float32' or 'float16', got ${describe(dtype)}.`);
  }

  const token = checkToken(file, concept.token);
  const supercategory = checkSupercategory(file, concept.supercategory);
  const baseModel = concept.baseModel as unknown;
  if (typeof baseModel !== 'object' || baseModel === null) {
    throw new InvalidMetadataError(file, KEY.baseModel, `must be { fingerprint, name? }, got ${describe(baseModel)}.`);
  }
  const fingerprint = checkNonEmptyString(file, KEY.baseModel, concept.baseModel.fingerprint, 'base_model.fingerprint');
  const modelName = concept.baseModel.name;
  if (modelName !== undefined && typeof modelName !== 'string') {
    throw new InvalidMetadataError(file, KEY.baseModel, `base_model.name must be a string when given, got ${describe(modelName)}.`);
  }
  const defaults = checkDefaults(file, concept.defaults ?? DEFAULT_INFERENCE);
  const training = concept.training === undefined ? undefined : checkJsonObject(file, KEY.training, concept.training);
  const createdBy = concept.createdBy ?? DEFAULT_CREATED_BY;
  if (typeof createdBy !== 'string') throw new InvalidMetadataError(file, KEY.createdBy, `must be a string, got ${describe(createdBy)}.`);

  const input = checkFloat32Array(file, TENSOR.inputEncoding, concept.inputEncoding, 'inputEncoding (i*)');
  const superEncoding = checkFloat32Array(file, TENSOR.superEncoding, concept.superEncoding, 'superEncoding (i_super)', input.length);
  const word = checkFloat32Array(file, TENSOR.wordEmbedding, concept.wordEmbedding, 'wordEmbedding');
  checkFinite(file, TENSOR.inputEncoding, input, NON_FINITE_INPUT);
  checkFinite(file, TENSOR.superEncoding, superEncoding, NON_FINITE_INPUT);
  checkFinite(file, TENSOR.wordEmbedding, word, NON_FINITE_INPUT);
  const { layers, values } = concatenateTargets(file, concept.valueTargets);

  const metadata: [string, string][] = [
    [KEY.format, CONCEPT_FORMAT],
    [KEY.formatVersion, String(CONCEPT_FORMAT_VERSION)],
    [KEY.token, token],
    [KEY.supercategory, supercategory],
    [KEY.baseModel, JSON.stringify(modelName === undefined ? { fingerprint } : { fingerprint, name: modelName })],
    [KEY.defaults, JSON.stringify(defaults)],
    [KEY.dtype, dtype],
    [KEY.layers, JSON.stringify(layers)],
  ];
  if (training !== undefined) metadata.push([KEY.training, JSON.stringify(training)]);
  metadata.push([KEY.createdBy, createdBy]);

  const store = (data: Float32Array, locate: Locate): RawSafetensorsTensor =>
    dtype === 'float32'
      ? { dtype: 'F32', shape: [data.length], bytes: float32Bytes(data) }
      : { dtype: 'F16', shape: [data.length], bytes: float16Bytes(toHalf(file, data, locate)) };

  const bytes = writeSafetensors(
    [
      [TENSOR.inputEncoding, store(input, (index) => ({ field: TENSOR.inputEncoding, index }))],
      [TENSOR.superEncoding, store(superEncoding, (index) => ({ field: TENSOR.superEncoding, index }))],
      [TENSOR.wordEmbedding, store(word, (index) => ({ field: TENSOR.wordEmbedding, index }))],
      [TENSOR.valueTargets, store(values, (index) => locateValueTarget(layers, index))],
    ],
    new Map(metadata),
    { target: file },
  );
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > CONCEPT_MAX_HEADER_BYTES) {
    throw new InvalidMetadataError(
      file,
      training !== undefined ? KEY.training : KEY.layers,
      `the header would be ${n} bytes, more than a concept file may have (${CONCEPT_MAX_HEADER_BYTES}); shorten the training summary.`,
    );
  }
  return bytes;
}

function concatenateTargets(file: string, targets: unknown): { layers: { layer: string; width: number }[]; values: Float32Array } {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ConceptTensorError(file, TENSOR.valueTargets, `valueTargets must be a non-empty array of { layer, width, target }, got ${describe(targets)}.`);
  }
  const layers: { layer: string; width: number }[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const [i, t] of targets.entries()) {
    const layer = checkNonEmptyString(file, KEY.layers, (t as { layer?: unknown } | null)?.layer, `valueTargets[${i}].layer`);
    if (seen.has(layer)) throw new InvalidMetadataError(file, KEY.layers, `layer '${layer}' appears twice in valueTargets; each layer has one value target.`);
    seen.add(layer);
    const width = (t as { width: unknown }).width;
    if (typeof width !== 'number' || !Number.isSafeInteger(width) || width <= 0) {
      throw new InvalidMetadataError(file, KEY.layers, `the width of layer '${layer}' must be a positive integer, got ${describe(width)}.`);
    }
    const target = checkFloat32Array(file, `value_targets[${layer}]`, (t as { target: unknown }).target, `the value target of layer '${layer}'`, width);
    checkFinite(file, `value_targets[${layer}]`, target, NON_FINITE_INPUT);
    layers.push({ layer, width });
    total += width;
  }
  const values = new Float32Array(total);
  let at = 0;
  for (const t of targets as { target: Float32Array }[]) {
    values.set(t.target, at);
    at += t.target.length;
  }
  return { layers, values };
}

type Locate = (index: number) => { field: string; index: number };

/** float32 → float16 bits (nearest, ties to even), refusing values that overflow to infinity. */
function toHalf(file: string, values: Float32Array, locate: Locate): Uint16Array {
  const bits = toFloat16Array(values);
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i]! & 0x7c00) === 0x7c00) {
      const { field, index } = locate(i);
      throw new NonFiniteValueError(
        file,
        field,
        index,
        float16ToFloat32(bits[i]!),
        `its value ${values[i]} exceeds float16's largest finite value (65504); write the concept with dtype 'float32'.`,
      );
    }
  }
  return bits;
}
