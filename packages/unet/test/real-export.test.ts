import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, Tensor } from '@perfusion/tensor-core';
import { UNet } from '../src/index.js';
import { maxAbsDiff } from './helpers/tensors.js';

// A real diffusers UNet2DConditionModel exported by torch.onnx (see the folder's README.md). The
// .npy files are PyTorch's inputs and output at batch 2, timestep 999 for both rows. It lives in
// ../shared beside the repository, as for onnx-graph's tests.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIR = path.resolve(repoRoot, '../shared/fixtures/diffusers-unet-tiny');

function float32(file: string): Tensor<'float32'> {
  const npy = readNpy(fs.readFileSync(`${DIR}/${file}`), file);
  if (!npy.is('float32')) throw new Error(`${file}: expected float32, got ${npy.dtype}`);
  return npy;
}

function row(t: Tensor<'float32'>, r: number): Tensor<'float32'> {
  const size = t.size / t.shape[0]!;
  return new Tensor('float32', t.data.slice(r * size, (r + 1) * size), [1, ...t.shape.slice(1)]);
}

describe('diffusers-unet-tiny (torch export)', () => {
  const sample = float32('io_sample.npy');
  const states = float32('io_ehs.npy');
  const expected = float32('io_out.npy');
  let unet: UNet;

  beforeAll(async () => {
    unet = await UNet.create(`${DIR}/model.onnx`);
  });
  afterAll(async () => {
    await unet?.release();
  });

  it('reads the export interface without a config.json', () => {
    expect(sample.shape).toEqual([2, 4, 8, 8]);
    expect(unet.inChannels).toBe(4);
    expect(unet.crossAttentionDim).toBe(32);
    expect(unet.timestepDType).toBe('int64');
    expect(unet.timestepLayout).toBe('batch');
    expect(unet.sampleDType).toBe('float32');
    expect(unet.sampleSize).toBeUndefined();
  });

  it.each([0, 1])('reproduces PyTorch on row %i with guidanceScale 1', async (r) => {
    const noise = await unet.predictNoise({ sample: row(sample, r), timestep: 999, encoderHiddenStates: row(states, r), guidanceScale: 1 });
    expect(noise.shape).toEqual([1, 4, 8, 8]);
    expect(maxAbsDiff(noise.data, row(expected, r).data)).toBeLessThanOrEqual(2e-5);
  });

  it('reproduces PyTorch on both rows at once', async () => {
    const noise = await unet.predictNoise({ sample, timestep: 999, encoderHiddenStates: states, guidanceScale: 1 });
    expect(maxAbsDiff(noise.data, expected.data)).toBeLessThanOrEqual(2e-5);
  });

  it('a fractional timestep is truncated for the int64 input, as diffusers does', async () => {
    const args = { sample: row(sample, 0), encoderHiddenStates: row(states, 0), guidanceScale: 1 };
    const truncated = await unet.predictNoise({ ...args, timestep: 999.7 });
    const exact = await unet.predictNoise({ ...args, timestep: 999 });
    expect(Array.from(truncated.data)).toEqual(Array.from(exact.data));
  });
});
