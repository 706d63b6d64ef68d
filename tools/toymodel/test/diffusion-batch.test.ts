import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxSession, writeModel } from '@perfusion/onnx-graph';
import { Rng } from '@perfusion/tensor-core';
import { diffusionStage, initialNetwork, OBJECT_CELL_WEIGHT, type TrainedEncoder } from '../src/index.js';

// The untrained toy encoder stands in for the trained one: the batch's shapes and weights do not depend on its weights.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodel-diffusion-batch-'));
let encoder: TrainedEncoder;

beforeAll(async () => {
  const file = path.join(dir, 'vae_encoder.onnx');
  await writeModel(initialNetwork('vae_encoder'), file);
  encoder = { session: await OnnxSession.create(file), scalingFactor: 1 };
}, 60_000);

afterAll(async () => {
  await encoder?.session.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the diffusion stage’s batches', () => {
  it('weigh every latent cell 1 before objectWeightFrom and the cells around objects up from it on', async () => {
    const stage = diffusionStage(encoder, { objectWeightFrom: 5 });
    const before = await stage.batch(new Rng(1).fork(4), 3, 4);
    const after = await stage.batch(new Rng(1).fork(5), 3, 5);
    expect(before['cell_weights']!.shape).toEqual([3, 1, 16, 16]);
    expect(new Set(before['cell_weights']!.data as Float32Array)).toEqual(new Set([1]));
    expect(new Set(after['cell_weights']!.data as Float32Array)).toEqual(new Set([1, OBJECT_CELL_WEIGHT]));
    expect(Object.keys(after).sort()).toEqual(['cell_weights', 'input_ids', 'sample', 'target', 'timestep']);
  }, 120_000);
});
