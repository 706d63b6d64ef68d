import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, readModelSync, tensorFromProto, TensorProto_DataType } from '@perfusion/onnx-graph';
import { averageToyModels, ModelAverageError, TOY_MODEL_DIR } from '../src/index.js';
import { networkWeights } from './network-weights.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-average-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A copy of the committed model with every text-encoder weight doubled: a second model of the same architecture. */
function doubledTextEncoder(): string {
  const dir = path.join(root, 'doubled');
  fs.cpSync(TOY_MODEL_DIR, dir, { recursive: true, filter: (s) => path.basename(s) !== '.perfusion-cache' });
  const file = path.join(dir, 'text_encoder', 'model.onnx');
  const model = readModelSync(file);
  for (const init of model.graph!.initializer) {
    if (init.dataType !== TensorProto_DataType.FLOAT) continue;
    const data = (tensorFromProto(init, path.dirname(file)).data as Float32Array).map((v) => 2 * v);
    init.rawData = new Uint8Array(data.buffer);
    init.floatData = [];
  }
  fs.writeFileSync(file, encodeModel(model));
  return dir;
}

describe('averageToyModels', () => {
  it('blends the denoiser and text encoder weights by the weight given, takes the rest from the second model and records what it did', async () => {
    const second = doubledTextEncoder();
    const out = path.join(root, 'quarter');
    await averageToyModels(TOY_MODEL_DIR, second, 0.25, out);
    const [base, mixed] = [networkWeights(TOY_MODEL_DIR, 'text_encoder'), networkWeights(out, 'text_encoder')];
    for (const [name, values] of base) {
      const got = mixed.get(name)!;
      for (let k = 0; k < values.length; k += 97) expect(got[k]).toBeCloseTo(1.25 * values[k]!, 5);
    }
    // Same UNet on both sides: its average is itself.
    const unet = networkWeights(out, 'unet');
    for (const [name, values] of networkWeights(TOY_MODEL_DIR, 'unet')) expect(Array.from(unet.get(name)!.subarray(0, 64))).toEqual(Array.from(values.subarray(0, 64)));
    expect(fs.readFileSync(path.join(out, 'vae_decoder', 'model.onnx'))).toEqual(fs.readFileSync(path.join(second, 'vae_decoder', 'model.onnx')));
    const index = JSON.parse(fs.readFileSync(path.join(out, 'model_index.json'), 'utf8')) as { perfusion_toy_model: { averaged: { weight_of_second: number } } };
    expect(index.perfusion_toy_model.averaged.weight_of_second).toBe(0.25);
  });

  it('refuses a weight outside [0, 1], an existing output and a model of another architecture, leaving nothing behind', async () => {
    await expect(averageToyModels(TOY_MODEL_DIR, TOY_MODEL_DIR, 1.5, path.join(root, 'bad'))).rejects.toThrow(ModelAverageError);
    await expect(averageToyModels(TOY_MODEL_DIR, TOY_MODEL_DIR, 0.5, root)).rejects.toThrow(/exists; give a new folder/);
    const other = path.join(root, 'other');
    fs.cpSync(TOY_MODEL_DIR, other, { recursive: true, filter: (s) => path.basename(s) !== '.perfusion-cache' });
    fs.copyFileSync(path.join(TOY_MODEL_DIR, 'text_encoder', 'model.onnx'), path.join(other, 'unet', 'model.onnx'));
    const out = path.join(root, 'mismatch');
    await expect(averageToyModels(TOY_MODEL_DIR, other, 0.5, out)).rejects.toThrow(/one architecture/);
    // writeFolderAtomically's temporary sibling is '.mismatch.<pid>.<hex>.tmp': none may be left.
    expect(fs.readdirSync(root).filter((n) => n.includes('mismatch'))).toEqual([]);
  });
});
