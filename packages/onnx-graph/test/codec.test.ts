import { create, equals } from '@bufbuild/protobuf';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeModel,
  encodeModel,
  ModelDecodeError,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  readModel,
  readModelSync,
} from '../src/index.js';
import { diffusersUnetModel, tempDir } from './helpers/paths.js';

const fileBytes = fs.readFileSync(diffusersUnetModel);

describe('decodeModel / encodeModel on a real torch.onnx export', () => {
  it('decode → encode → decode gives an equal model', () => {
    const first = decodeModel(fileBytes);
    const again = decodeModel(encodeModel(first));
    expect(first.graph?.node.length).toBeGreaterThan(1000);
    expect(equals(ModelProtoSchema, first, again)).toBe(true);
  });

  it('encodes deterministically, and reproduces the exporter’s bytes exactly', () => {
    const model = decodeModel(fileBytes);
    const a = encodeModel(model);
    const b = encodeModel(decodeModel(a));
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    // protobuf C++ (torch's writer) emits fields in field-number order, as protobuf-es does for
    // this schema; unknown fields are kept, so nothing is lost or reordered.
    expect(Buffer.compare(Buffer.from(a), fileBytes)).toBe(0);
  });

  it('keeps tensor payloads as views into the input bytes instead of copying them', () => {
    const model = decodeModel(fileBytes);
    const big = model.graph!.initializer.reduce((a, t) => (t.rawData.length > a.rawData.length ? t : a));
    expect(big.rawData.length).toBeGreaterThan(1000);
    expect(big.rawData.buffer).toBe(fileBytes.buffer);
  });

  it('reads files sync and async alike', async () => {
    const a = readModelSync(diffusersUnetModel);
    const b = await readModel(diffusersUnetModel);
    expect(equals(ModelProtoSchema, a, b)).toBe(true);
  });
});

describe('decode errors name the file and the problem', () => {
  async function failure(bytes: Uint8Array | undefined): Promise<ModelDecodeError> {
    const dir = tempDir();
    const file = path.join(dir, 'broken.onnx');
    if (bytes !== undefined) fs.writeFileSync(file, bytes);
    const error = await readModel(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelDecodeError);
    expect((error as Error).message).toContain(file);
    return error as ModelDecodeError;
  }

  it('missing file', async () => {
    expect((await failure(undefined)).reason).toBe('unreadable');
  });

  it('empty file', async () => {
    expect((await failure(new Uint8Array(0))).reason).toBe('empty');
  });

  it('truncated model', async () => {
    const error = await failure(fileBytes.subarray(0, Math.floor(fileBytes.length / 2)));
    expect(error.reason).toBe('truncated');
    expect(error.message).toMatch(/truncated/);
  });

  it('a text file is not ONNX', async () => {
    const error = await failure(new TextEncoder().encode('{"this": "is json, not onnx"}\n'));
    expect(error.reason).toBe('not-onnx');
    expect(error.message).toMatch(/not an ONNX model/);
  });

  it('a ModelProto without a graph', async () => {
    const headerOnly = encodeModel(
      create(ModelProtoSchema, {
        irVersion: 8n,
        opsetImport: [create(OperatorSetIdProtoSchema, { version: 17n })],
      }),
    );
    const error = await failure(headerOnly);
    expect(error.reason).toBe('no-graph');
    expect(error.message).toMatch(/no graph/);
  });

  it('decodeModel names its source too', () => {
    expect(() => decodeModel(new Uint8Array(0), 'unet/model.onnx')).toThrow(/^unet\/model\.onnx: is empty/);
  });
});
