import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BaseModelMismatchError,
  CONCEPT_MAX_FILE_BYTES,
  ConceptDimensionError,
  ConceptFormatError,
  ConceptIoError,
  ConceptTensorError,
  FileTooLargeError,
  HeaderTooLargeError,
  InvalidMetadataError,
  LayerWidthMismatchError,
  MissingLayerError,
  MissingMetadataError,
  NonFiniteValueError,
  TensorDTypeError,
  TruncatedFileError,
  UnexpectedLayerError,
  UnsupportedFormatVersionError,
  decodeConcept,
  encodeConcept,
  readConcept,
  readSafetensors,
  writeSafetensors,
  type ConceptExpectation,
  type ConceptToWrite,
} from '@perfusion/concept-format';
import { randomConcept, sd15Layers } from './fixtures.js';
import { editMetadata, rawFile } from './raw.js';

const FILE = 'cat.safetensors';
const LAYERS = sd15Layers().slice(0, 3); // widths 320, 320, 640
const concept = (): ConceptToWrite => randomConcept(11, LAYERS, 16, 12);
const good = encodeConcept(concept(), { dtype: 'float32' });
const goodF16 = encodeConcept(concept(), { dtype: 'float16' });

function caught(fn: () => unknown): ConceptFormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConceptFormatError);
    return error as ConceptFormatError;
  }
  throw new Error('expected an error, none was thrown');
}

function expectRead(bytes: Uint8Array, type: new (...args: never[]) => ConceptFormatError, message: string, expect_?: ConceptExpectation) {
  const error = caught(() => decodeConcept(bytes, { source: FILE, ...(expect_ ? { expect: expect_ } : {}) }));
  expect(error).toBeInstanceOf(type);
  expect(error.file).toBe(FILE);
  expect(error.message).toContain(message);
  return error;
}

/** A copy of `bytes` with element `index` of tensor `name` set to `value` (F32 or F16 bits). */
function patch(bytes: Uint8Array, name: string, index: number, value: number): Uint8Array {
  const copy = bytes.slice();
  const t = readSafetensors(copy).tensor(name)!;
  const view = new DataView(copy.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  if (t.dtype === 'F32') view.setFloat32(index * 4, value, true);
  else view.setUint16(index * 2, value, true);
  return copy;
}

/** Rebuilds a concept file with `name` replaced by (dtype, bytes), keeping the other tensors. */
function replaceTensor(bytes: Uint8Array, name: string, dtype: 'F32' | 'F16' | 'I64', data: Uint8Array, shape?: number[]): Uint8Array {
  const file = readSafetensors(bytes);
  return writeSafetensors(
    file.tensors.map((t) => [t.name, t.name === name ? { dtype, shape: shape ?? [data.length / (dtype === 'F16' ? 2 : dtype === 'F32' ? 4 : 8)], bytes: data } : t] as const),
    file.metadata,
  );
}

describe('reading refuses a damaged container', () => {
  it('a file truncated in its data', () => {
    expectRead(good.subarray(0, good.length - 10), TruncatedFileError, `${FILE}: value_targets.data_offsets: the file is truncated`);
  });
  it('a file truncated in its header', () => {
    expectRead(good.subarray(0, 100), TruncatedFileError, `${FILE}: header: the file is truncated: the`);
  });
  it('a file truncated in its size prefix', () => {
    expectRead(good.subarray(0, 3), TruncatedFileError, `${FILE}: header size: the file is truncated: the 8-byte header size needs 8 bytes but the file has 3`);
  });
  it('a header over the 1 MiB a concept file may have', () => {
    const big = good.slice();
    new DataView(big.buffer).setBigUint64(0, 2n << 20n, true);
    expectRead(big, HeaderTooLargeError, `${FILE}: header size: the header claims 2097152 bytes, more than the limit of 1048576`);
  });
  it('a file larger than a concept can be', () => {
    expectRead(new Uint8Array(CONCEPT_MAX_FILE_BYTES + 1), FileTooLargeError, `${FILE}: file size: the file has 67108865 bytes, more than a concept file may have (67108864)`);
  });
  it('a file on disk larger than a concept can be, refused before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concept-big-'));
    try {
      const path = join(dir, 'model.safetensors');
      writeFileSync(path, '');
      truncateSync(path, CONCEPT_MAX_FILE_BYTES + 1); // sparse: no 64 MiB written
      await expect(readConcept(path)).rejects.toThrow(`${path}: file size: the file has 67108865 bytes, more than a concept file may have (67108864); check that the path points at a concept file and not at a model's weights.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a path that does not exist', async () => {
    await expect(readConcept('/nonexistent/dir/cat.safetensors')).rejects.toThrow(ConceptIoError);
    await expect(readConcept('/nonexistent/dir/cat.safetensors')).rejects.toThrow('/nonexistent/dir/cat.safetensors: file: could not read the file (ENOENT');
  });
});

describe('reading refuses wrong dtypes', () => {
  it('an I64 tensor where F32/F16 is expected', () => {
    const bad = replaceTensor(good, 'word_embedding', 'I64', new Uint8Array(12 * 8));
    expectRead(bad, TensorDTypeError, `${FILE}: word_embedding.dtype: dtype 'I64' is not allowed here (expected 'F32' or 'F16'); concept tensors hold floating-point values in F32 or F16 only`);
  });
  it('mixed F32 and F16 tensors', () => {
    const bad = replaceTensor(good, 'super_encoding', 'F16', new Uint8Array(16 * 2));
    expectRead(bad, TensorDTypeError, `${FILE}: super_encoding.dtype: dtype 'F16' is not allowed here (expected 'F32'); __metadata__.dtype says 'float32' and all tensors of a concept file share that dtype (mixed dtypes are not allowed)`);
  });
  it('a dtype metadata value that is not float32/float16', () => {
    expectRead(editMetadata(good, 'dtype', 'bfloat16'), InvalidMetadataError, `${FILE}: __metadata__.dtype: must be 'float32' or 'float16', got "bfloat16"`);
  });
});

describe('reading refuses inconsistent tensors', () => {
  it('a missing tensor', () => {
    const file = readSafetensors(good);
    const bad = writeSafetensors(file.tensors.filter((t) => t.name !== 'word_embedding').map((t) => [t.name, t] as const), file.metadata);
    expectRead(bad, ConceptTensorError, `${FILE}: word_embedding: missing: every concept file holds this tensor`);
  });
  it('an unexpected tensor', () => {
    const file = readSafetensors(good);
    const bad = writeSafetensors([...file.tensors.map((t) => [t.name, t] as const), ['keys', { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) }] as const], file.metadata);
    expectRead(bad, ConceptTensorError, `${FILE}: keys: unexpected tensor; a version-1 concept file holds exactly input_encoding, super_encoding, word_embedding, value_targets`);
  });
  it('value targets that do not add up to the layer widths', () => {
    const bad = replaceTensor(good, 'value_targets', 'F32', new Uint8Array(1270 * 4));
    expectRead(bad, ConceptTensorError, `${FILE}: value_targets: has 1270 values but the widths in __metadata__.layers add up to 1280`);
  });
  it('i_super of another width than i*', () => {
    const bad = replaceTensor(good, 'super_encoding', 'F32', new Uint8Array(15 * 4));
    expectRead(bad, ConceptTensorError, `${FILE}: super_encoding: has 15 values but input_encoding has 16`);
  });
  it('a tensor that is not one-dimensional', () => {
    const bad = replaceTensor(good, 'input_encoding', 'F32', new Uint8Array(16 * 4), [4, 4]);
    expectRead(bad, ConceptTensorError, `${FILE}: input_encoding.shape: must be one-dimensional [n], got [4, 4]`);
  });
  it('NaN in a float32 value target, naming the layer and index', () => {
    expectRead(patch(good, 'value_targets', 330, NaN), NonFiniteValueError, `${FILE}: value_targets[${LAYERS[1]!.layer}]: element 10 is NaN; a concept file must hold finite values only`);
  });
  it('Infinity in a float32 encoding', () => {
    expectRead(patch(good, 'input_encoding', 3, -Infinity), NonFiniteValueError, `${FILE}: input_encoding: element 3 is -Infinity`);
  });
  it('a float16 infinity or NaN', () => {
    expectRead(patch(goodF16, 'word_embedding', 2, 0x7c00), NonFiniteValueError, `${FILE}: word_embedding: element 2 is Infinity`);
    expectRead(patch(goodF16, 'value_targets', 0, 0x7e00), NonFiniteValueError, `${FILE}: value_targets[${LAYERS[0]!.layer}]: element 0 is NaN`);
  });
});

describe('reading refuses bad metadata', () => {
  it('a safetensors file that is not a concept', () => {
    expectRead(writeSafetensors({ w: { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) } }, { format: 'pt' }), InvalidMetadataError, `${FILE}: __metadata__.format: is "pt", not 'perfusion-concept'`);
    expectRead(rawFile('{}'), MissingMetadataError, `${FILE}: __metadata__.format: missing: this safetensors file is not a Perfusion concept`);
  });
  it('a newer format version', () => {
    const error = expectRead(editMetadata(good, 'format_version', '2'), UnsupportedFormatVersionError, `${FILE}: __metadata__.format_version: format version 2 is not supported (this reader knows 1); the file was written by a newer Perfusion-TS — upgrade @perfusion/concept-format to read it.`);
    expect(error.field).toBe('__metadata__.format_version');
  });
  it('an unknown or malformed format version', () => {
    expectRead(editMetadata(good, 'format_version', '0'), UnsupportedFormatVersionError, 'format version 0 is not supported');
    expectRead(editMetadata(good, 'format_version', '1.0'), InvalidMetadataError, `${FILE}: __metadata__.format_version: must be an integer such as "1", got "1.0"`);
    expectRead(editMetadata(good, 'format_version', 'one'), InvalidMetadataError, `${FILE}: __metadata__.format_version: is not valid JSON`);
    expectRead(editMetadata(good, 'format_version', undefined), MissingMetadataError, `${FILE}: __metadata__.format_version: missing`);
  });
  it('a missing token or supercategory', () => {
    expectRead(editMetadata(good, 'token', undefined), MissingMetadataError, `${FILE}: __metadata__.token: missing: the concept's token`);
    expectRead(editMetadata(good, 'supercategory', undefined), MissingMetadataError, `${FILE}: __metadata__.supercategory: missing: the concept's supercategory word`);
  });
  it('a token that is not one word, an empty token, a padded supercategory', () => {
    expectRead(editMetadata(good, 'token', 'my cat'), InvalidMetadataError, `${FILE}: __metadata__.token: "my cat" contains whitespace or a control character; a token must be a single prompt word`);
    expectRead(editMetadata(good, 'token', ''), InvalidMetadataError, `${FILE}: __metadata__.token: must be a non-empty string`);
    expectRead(editMetadata(good, 'supercategory', ' cat'), InvalidMetadataError, `${FILE}: __metadata__.supercategory: " cat" has surrounding whitespace`);
  });
  it('a malformed layer list', () => {
    expectRead(editMetadata(good, 'layers', '[{"layer":"a","width":320},'), InvalidMetadataError, `${FILE}: __metadata__.layers: is not valid JSON`);
    expectRead(editMetadata(good, 'layers', '[]'), InvalidMetadataError, `${FILE}: __metadata__.layers: must be a non-empty JSON array`);
    expectRead(editMetadata(good, 'layers', '[{"layer":"a","width":640},{"layer":"a","width":640}]'), InvalidMetadataError, `${FILE}: __metadata__.layers: layer 'a' is listed twice`);
    expectRead(editMetadata(good, 'layers', '[{"layer":"a","width":1280.5}]'), InvalidMetadataError, "the width of layer 'a' must be a positive integer, got the number 1280.5");
    expectRead(editMetadata(good, 'layers', '[{"layer":"a","width":1280,"width":1280}]'), InvalidMetadataError, 'duplicate key "width"');
  });
  it('a base model without a fingerprint, and bad defaults', () => {
    expectRead(editMetadata(good, 'base_model', '{"name":"sd15"}'), InvalidMetadataError, `${FILE}: __metadata__.base_model: fingerprint must be a non-empty string, got nothing`);
    expectRead(editMetadata(good, 'defaults', '{"beta":0.7,"tau":0}'), InvalidMetadataError, `${FILE}: __metadata__.defaults: tau must be a finite number > 0, got number 0`);
    expectRead(editMetadata(good, 'defaults', '{"tau":0.15}'), InvalidMetadataError, `${FILE}: __metadata__.defaults: beta must be a number, got nothing`);
    expectRead(editMetadata(good, 'defaults', '{"beta":1e999,"tau":0.15}'), InvalidMetadataError, 'beta must be a finite number, got number Infinity');
    expectRead(editMetadata(good, 'training', '[1,2]'), InvalidMetadataError, `${FILE}: __metadata__.training: must be a JSON object, got an array`);
  });
  it('ignores metadata keys it does not know', () => {
    expect(decodeConcept(editMetadata(good, 'x-extra', 'anything')).token).toBe('<my-cat>');
  });
});

describe('reading with expectations refuses another model', () => {
  const layers = LAYERS;
  const fingerprint = decodeConcept(good).baseModel.fingerprint;

  it("another base model's fingerprint, naming both", () => {
    const error = expectRead(good, BaseModelMismatchError, `${FILE}: __metadata__.base_model.fingerprint: the concept was trained for another model (concept fingerprint '${fingerprint}', this model's fingerprint 'sha256:sd21'); use it with the base model it was trained on, or retrain it on this one.`, { fingerprint: 'sha256:sd21' });
    expect(error).toMatchObject({ conceptFingerprint: fingerprint, modelFingerprint: 'sha256:sd21' });
  });
  it('layers the concept lacks', () => {
    const error = expectRead(good, MissingLayerError, `${FILE}: __metadata__.layers: the concept has no value target for 2 of the model's cross-attention layers ('${sd15Layers()[3]!.layer}', '${sd15Layers()[4]!.layer}')`, { layers: sd15Layers().slice(0, 5) });
    expect((error as MissingLayerError).layers).toEqual([sd15Layers()[3]!.layer, sd15Layers()[4]!.layer]);
  });
  it('layers the model lacks', () => {
    expectRead(good, UnexpectedLayerError, `${FILE}: __metadata__.layers: the concept has value targets for 1 layer(s) the model does not have ('${LAYERS[2]!.layer}')`, { layers: layers.slice(0, 2) });
  });
  it('a width mismatch, naming the layer and both widths', () => {
    const other = layers.map((l, i) => (i === 1 ? { ...l, width: 768 } : l));
    const error = expectRead(good, LayerWidthMismatchError, `${FILE}: value_targets[${LAYERS[1]!.layer}]: width 320 in the concept but 768 in the model's layer`, { layers: other });
    expect(error).toMatchObject({ layer: LAYERS[1]!.layer, conceptWidth: 320, modelWidth: 768 });
  });
  it('encoding and embedding width mismatches', () => {
    expectRead(good, ConceptDimensionError, `${FILE}: input_encoding: the text encoding (i*, i_super) has 16 values in the concept but the model expects 768`, { encodingDim: 768 });
    expectRead(good, ConceptDimensionError, `${FILE}: word_embedding: the word embedding has 12 values in the concept but the model expects 768`, { embeddingDim: 768 });
  });
  it('passes when everything matches', () => {
    expect(decodeConcept(good, { expect: { fingerprint, layers, encodingDim: 16, embeddingDim: 12 } }).valueTargets).toHaveLength(3);
  });
});

describe('writing refuses an invalid concept before producing any bytes', () => {
  const expectWrite = (mutate: (c: ConceptToWrite) => void, type: new (...args: never[]) => ConceptFormatError, message: string, dtype: 'float32' | 'float16' = 'float32') => {
    const c = concept();
    mutate(c);
    const error = caught(() => encodeConcept(c, { dtype, target: 'out.safetensors' }));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(message);
  };

  it('non-finite values, naming the tensor (or layer) and index', () => {
    expectWrite((c) => (c.inputEncoding[5] = NaN), NonFiniteValueError, 'out.safetensors: input_encoding: element 5 is NaN; concept values must be finite');
    expectWrite((c) => (c.valueTargets[2]!.target[7] = Infinity), NonFiniteValueError, `out.safetensors: value_targets[${LAYERS[2]!.layer}]: element 7 is Infinity`);
  });
  it('values that overflow float16', () => {
    expectWrite((c) => (c.valueTargets[1]!.target[4] = 70000), NonFiniteValueError, `out.safetensors: value_targets[${LAYERS[1]!.layer}]: element 4 is Infinity; its value 70000 exceeds float16's largest finite value (65504); write the concept with dtype 'float32'.`, 'float16');
    expectWrite((c) => (c.wordEmbedding[0] = -65520), NonFiniteValueError, 'out.safetensors: word_embedding: element 0 is -Infinity', 'float16');
  });
  it('a bad token or supercategory', () => {
    expectWrite((c) => (c.token = '<my cat>'), InvalidMetadataError, 'out.safetensors: __metadata__.token: "<my cat>" contains whitespace');
    expectWrite((c) => (c.supercategory = ''), InvalidMetadataError, 'out.safetensors: __metadata__.supercategory: must be a non-empty string');
  });
  it('inconsistent tensors and layers', () => {
    expectWrite((c) => (c.valueTargets[0]!.width = 321), ConceptTensorError, `out.safetensors: value_targets[${LAYERS[0]!.layer}]: the value target of layer '${LAYERS[0]!.layer}' has 320 values but must have 321`);
    expectWrite((c) => (c.valueTargets[1]!.layer = LAYERS[0]!.layer), InvalidMetadataError, `layer '${LAYERS[0]!.layer}' appears twice in valueTargets`);
    expectWrite((c) => (c.superEncoding = new Float32Array(15)), ConceptTensorError, 'out.safetensors: super_encoding: superEncoding (i_super) has 15 values but must have 16');
    expectWrite((c) => (c.wordEmbedding = new Float64Array(12) as unknown as Float32Array), ConceptTensorError, 'out.safetensors: word_embedding: wordEmbedding must be a Float32Array, got a Float64Array');
    expectWrite((c) => (c.valueTargets = []), ConceptTensorError, 'out.safetensors: value_targets: valueTargets must be a non-empty array');
  });
  it('bad defaults, training summary, base model or dtype', () => {
    expectWrite((c) => (c.defaults = { beta: 0.7, tau: -1 }), InvalidMetadataError, 'out.safetensors: __metadata__.defaults: tau must be a finite number > 0');
    expectWrite((c) => (c.training = { loss: NaN }), InvalidMetadataError, 'out.safetensors: __metadata__.training: training.loss is NaN, which JSON cannot store');
    expectWrite((c) => (c.training = { when: new Date(0) as never }), InvalidMetadataError, 'out.safetensors: __metadata__.training: training.when is a Date, which is not JSON data');
    expectWrite((c) => (c.training = { log: 'x'.repeat(1 << 20) }), InvalidMetadataError, 'out.safetensors: __metadata__.training: the header would be');
    expectWrite((c) => (c.baseModel = { fingerprint: '' }), InvalidMetadataError, 'out.safetensors: __metadata__.base_model: base_model.fingerprint must be a non-empty string');
    const c = concept();
    expect(() => encodeConcept(c, { dtype: 'float64' as 'float32' })).toThrow("<concept>: __metadata__.dtype: must be 'float32' or 'float16', got \"float64\"");
  });
});
