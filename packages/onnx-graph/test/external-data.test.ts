import { create } from '@bufbuild/protobuf';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ModelProto } from '../src/index.js';
import {
  addGraphOutput,
  ExternalDataError,
  externalDataInfo,
  ExternalDataWriter,
  insertNodes,
  isExternalTensor,
  readModelSync,
  relocateExternalData,
  renameValue,
  StringStringEntryProtoSchema,
  TensorDataError,
  TensorProto_DataLocation,
  TensorProtoSchema,
  validateGraph,
  writeExternalTensorFile,
  writeModelSync,
} from '../src/index.js';
import { f32, maxAbsDiff, runModel } from './helpers/ort.js';
import { tempDir } from './helpers/paths.js';
import { mlpModel, mlpReference, node } from './helpers/tiny-models.js';

const N = 48;
const H = 1100; // w1 is 48·1100·4 = 211 kB, above the 4096-byte alignment; b and w2 too
const M = 5;
const x = new Float32Array(N).map((_, i) => Math.sin(i));

/** The MLP with every initializer streamed into `dir/weights.bin`, written to `dir/model.onnx`. */
function writeSingleFileModel(dir: string): ReturnType<typeof mlpModel> {
  const mlp = mlpModel(N, H, M);
  const writer = new ExternalDataWriter(dir, 'weights.bin');
  for (const t of mlp.model.graph!.initializer) writer.append(t, t.rawData);
  writer.close();
  writeModelSync(mlp.model, path.join(dir, 'model.onnx'));
  return mlp;
}

/** y → −y with `act` exposed: an edit that changes the outputs in a way a test can predict. */
function negateOutputAndExposeActivation(model: ModelProto): void {
  let g = renameValue(model.graph!, 'y', 'y_raw', { graphOutputs: false });
  g = insertNodes(g, [node('Neg', ['y_raw'], ['y'], 'out/Neg')]);
  g = addGraphOutput(g, 'act', 'float32', [1, H]);
  validateGraph(g);
  model.graph = g;
}

function sameFile(a: string, b: string): boolean {
  const sa = fs.statSync(a);
  const sb = fs.statSync(b);
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

describe('ExternalDataWriter', () => {
  it('appends payloads at aligned offsets and turns tensors into external references', () => {
    const dir = tempDir();
    const writer = new ExternalDataWriter(dir, 'data/w.bin');
    const payloads = [10_000, 12, 5_000, 0, 3].map((n, k) => new Uint8Array(n).map((_, i) => (i * 7 + k) & 0xff));
    const tensors = payloads.map((p, k) => {
      const t = create(TensorProtoSchema, { name: `t${k}`, dataType: 2, dims: [BigInt(p.length)], rawData: p });
      writer.append(t, p);
      return t;
    });
    const chunked = create(TensorProtoSchema, { name: 'chunked', dataType: 2, dims: [6n] });
    writer.appendChunks(chunked, [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])]);
    expect(fs.existsSync(path.join(dir, 'data/w.bin'))).toBe(false); // only renamed into place on close
    writer.close();

    const file = fs.readFileSync(path.join(dir, 'data/w.bin'));
    let previousEnd = 0;
    tensors.forEach((t, k) => {
      const info = externalDataInfo(t);
      expect(isExternalTensor(t)).toBe(true);
      expect(t.rawData.length).toBe(0);
      expect(info.location).toBe('data/w.bin');
      expect(info.length).toBe(payloads[k]!.length);
      expect(info.offset % (info.length! >= 4096 ? 4096 : 64)).toBe(0);
      expect(info.offset).toBeGreaterThanOrEqual(previousEnd);
      previousEnd = info.offset + info.length!;
      expect(Buffer.compare(file.subarray(info.offset, previousEnd), payloads[k]!)).toBe(0);
    });
    const c = externalDataInfo(chunked);
    expect(c.offset % 4096).toBe(0);
    expect(Array.from(file.subarray(c.offset, c.offset + 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(file.length).toBe(c.offset + 6);
    expect(fs.readdirSync(path.join(dir, 'data'))).toEqual(['w.bin']);
  });

  it('refuses appends after close and file names outside the folder', () => {
    const dir = tempDir();
    const writer = new ExternalDataWriter(dir, 'w.bin');
    writer.close();
    const t = create(TensorProtoSchema, { name: 'late' });
    expect(() => writer.append(t, new Uint8Array(4))).toThrow(/tensor 'late'.*already closed/);
    expect(() => new ExternalDataWriter(dir, '../w.bin')).toThrow(ExternalDataError);
  });
});

describe('externalDataInfo', () => {
  it('reads location, offset and length, with offset defaulting to 0', () => {
    const t = create(TensorProtoSchema, {
      name: 'w',
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [create(StringStringEntryProtoSchema, { key: 'location', value: 'w.bin' })],
    });
    expect(externalDataInfo(t)).toEqual({ location: 'w.bin', offset: 0, length: undefined });
    t.externalData.push(create(StringStringEntryProtoSchema, { key: 'offset', value: '12x' }));
    expect(() => externalDataInfo(t)).toThrow(TensorDataError);
    expect(() => externalDataInfo(t)).toThrow(/tensor 'w' has external_data offset '12x'/);
  });
});

describe('models with external data in onnxruntime', () => {
  it('runs a model whose weights were streamed to one file, then again after editing it into another folder', async () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    const edited = path.join(root, 'edited');
    const weights = writeSingleFileModel(original);
    const expected = mlpReference(x, weights);

    const before = await runModel(path.join(original, 'model.onnx'), { x: f32(x, [1, N]) });
    expect(maxAbsDiff(before.y!.data, expected.y)).toBeLessThan(1e-4);

    const model = readModelSync(path.join(original, 'model.onnx'));
    negateOutputAndExposeActivation(model);
    writeModelSync(model, path.join(edited, 'model.onnx'), { externalDataFrom: original });

    const after = await runModel(path.join(edited, 'model.onnx'), { x: f32(x, [1, N]) });
    expect(maxAbsDiff(after.y!.data, expected.y.map((v) => -v))).toBeLessThan(1e-4);
    expect(maxAbsDiff(after.act!.data, expected.act)).toBeLessThan(1e-4);
    // The weights were linked, not copied: both names are the same file on disk.
    expect(sameFile(path.join(original, 'weights.bin'), path.join(edited, 'weights.bin'))).toBe(true);
    expect(fs.readdirSync(edited).sort()).toEqual(['model.onnx', 'weights.bin']);
    // The original model is untouched.
    const unchanged = await runModel(path.join(original, 'model.onnx'), { x: f32(x, [1, N]) });
    expect(Object.keys(unchanged)).toEqual(['y']);
  });

  it('handles the one-file-per-tensor layout of torch.onnx large exports', async () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    const edited = path.join(root, 'edited');
    const mlp = mlpModel(N, H, M);
    for (const t of mlp.model.graph!.initializer) writeExternalTensorFile(original, t, t.rawData);
    writeModelSync(mlp.model, path.join(original, 'model.onnx'));
    expect(fs.readdirSync(original).sort()).toEqual(['b', 'model.onnx', 'w1', 'w2']);

    const model = readModelSync(path.join(original, 'model.onnx'));
    negateOutputAndExposeActivation(model);
    const files = relocateExternalData(model, original, edited);
    expect(files.map((f) => [f.location, f.action])).toEqual([
      ['w1', 'hard-linked'],
      ['b', 'hard-linked'],
      ['w2', 'hard-linked'],
    ]);
    writeModelSync(model, path.join(edited, 'model.onnx'));

    const after = await runModel(path.join(edited, 'model.onnx'), { x: f32(x, [1, N]) });
    const expected = mlpReference(x, mlp);
    expect(maxAbsDiff(after.y!.data, expected.y.map((v) => -v))).toBeLessThan(1e-4);
    for (const name of ['w1', 'b', 'w2']) expect(sameFile(path.join(original, name), path.join(edited, name))).toBe(true);
  });

  it('onnxruntime refuses a symlink out of the model folder, which is why relocation hard-links', async () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    const linked = path.join(root, 'linked');
    writeSingleFileModel(original);
    fs.mkdirSync(linked);
    fs.copyFileSync(path.join(original, 'model.onnx'), path.join(linked, 'model.onnx'));
    fs.symlinkSync(path.join(original, 'weights.bin'), path.join(linked, 'weights.bin'));
    await expect(ort.InferenceSession.create(path.join(linked, 'model.onnx'))).rejects.toThrow(/escapes model directory/);
  });

  it('links the real file when the source folder holds symlinks (Hugging Face cache layout)', async () => {
    const root = tempDir();
    const snapshot = path.join(root, 'snapshot');
    const blobs = path.join(root, 'blobs');
    writeSingleFileModel(snapshot);
    fs.mkdirSync(blobs);
    fs.renameSync(path.join(snapshot, 'weights.bin'), path.join(blobs, 'abc123'));
    fs.symlinkSync(path.join(blobs, 'abc123'), path.join(snapshot, 'weights.bin'));

    const model = readModelSync(path.join(snapshot, 'model.onnx'));
    writeModelSync(model, path.join(root, 'edited', 'model.onnx'), { externalDataFrom: snapshot });
    expect(fs.lstatSync(path.join(root, 'edited', 'weights.bin')).isSymbolicLink()).toBe(false);
    expect(sameFile(path.join(blobs, 'abc123'), path.join(root, 'edited', 'weights.bin'))).toBe(true);
    const out = await runModel(path.join(root, 'edited', 'model.onnx'), { x: f32(x, [1, N]) });
    expect(out.y!.dims).toEqual([1, M]);
  });
});

describe('relocateExternalData', () => {
  it('reports same-folder and already-present files without touching them', () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    writeSingleFileModel(original);
    const model = readModelSync(path.join(original, 'model.onnx'));
    expect(relocateExternalData(model, original, original + '/.').map((f) => f.action)).toEqual(['same-folder']);
    const target = path.join(root, 'target');
    expect(relocateExternalData(model, original, target).map((f) => f.action)).toEqual(['hard-linked']);
    expect(relocateExternalData(model, original, target).map((f) => f.action)).toEqual(['already-present']);
  });

  it('refuses to replace a different file at the target location', () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    writeSingleFileModel(original);
    fs.mkdirSync(path.join(root, 'target'));
    fs.writeFileSync(path.join(root, 'target', 'weights.bin'), 'other model');
    const model = readModelSync(path.join(original, 'model.onnx'));
    expect(() => relocateExternalData(model, original, path.join(root, 'target'))).toThrow(
      /a different file already exists there/,
    );
  });

  it('names the tensor and the path when a weight file is missing', () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    writeSingleFileModel(original);
    const model = readModelSync(path.join(original, 'model.onnx'));
    expect(() => relocateExternalData(model, root, path.join(root, 'target'))).toThrow(
      /initializer 'w1' keeps its data in 'weights\.bin'.*does not exist/,
    );
  });

  it('normalises locations such as ./sub/../weights.bin in the model', () => {
    const root = tempDir();
    const original = path.join(root, 'original');
    writeSingleFileModel(original);
    const model = readModelSync(path.join(original, 'model.onnx'));
    model.graph!.initializer[0]!.externalData[0]!.value = './sub/../weights.bin';
    relocateExternalData(model, original, path.join(root, 'target'));
    expect(externalDataInfo(model.graph!.initializer[0]!).location).toBe('weights.bin');
  });
});
