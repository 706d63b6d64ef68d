import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeModel,
  externalizeInitializers,
  inlineModelTensorBytes,
  ModelTooLargeError,
  PROTOBUF_MESSAGE_LIMIT,
  readModelSync,
  writeModelSync,
} from '../src/index.js';
import { diffusersUnetModel, tempDir } from './helpers/paths.js';
import { mlpModel } from './helpers/tiny-models.js';

describe('the 2 GiB protobuf limit', () => {
  it('is 2^31 − 1 bytes by default', () => {
    expect(PROTOBUF_MESSAGE_LIMIT).toBe(2147483647);
  });

  it('refuses, before encoding, a model whose inline tensors exceed the limit, pointing at external data', () => {
    const { model } = mlpModel(64, 32, 8);
    // w1 + b + w2 in float32: (64·32 + 32 + 32·8) · 4 bytes
    const inline = (64 * 32 + 32 + 32 * 8) * 4;
    expect(inlineModelTensorBytes(model)).toBe(inline);
    let error: unknown;
    try {
      encodeModel(model, { maxBytes: inline - 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelTooLargeError);
    expect((error as ModelTooLargeError).bytes).toBe(inline);
    expect((error as Error).message).toMatch(/external data/);
    expect((error as Error).message).toMatch(/externalizeInitializers/);
  });

  it('also checks the encoded size itself (graph structure counts too)', () => {
    const { model } = mlpModel(4, 4, 4);
    const size = encodeModel(model).length;
    expect(() => encodeModel(model, { maxBytes: size - 1 })).toThrow(ModelTooLargeError);
    expect(encodeModel(model, { maxBytes: size })).toHaveLength(size);
  });

  it('writeModel leaves an existing file untouched when the model is too large', () => {
    const dir = tempDir();
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, 'previous');
    const { model } = mlpModel(64, 32, 8);
    expect(() => writeModelSync(model, file, { maxBytes: 1000 })).toThrow(ModelTooLargeError);
    expect(fs.readFileSync(file, 'utf8')).toBe('previous');
    expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('externalizing the initializers brings a model under the limit', () => {
    const dir = tempDir();
    const model = readModelSync(diffusersUnetModel);
    const before = inlineModelTensorBytes(model);
    const moved = externalizeInitializers(model, dir, 'model.onnx_data');
    expect(moved).toBeGreaterThan(100);
    const after = inlineModelTensorBytes(model);
    expect(after).toBeLessThan(before / 10);
    expect(() => encodeModel(model, { maxBytes: before / 2 })).not.toThrow();
    expect(fs.statSync(path.join(dir, 'model.onnx_data')).size).toBeGreaterThanOrEqual(before - after);
  });
});
