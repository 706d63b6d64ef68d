import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Tensor } from '@perfusion/tensor-core';
import { ExtraFeedError, UNet } from '../src/index.js';
import { PROBE_WIDTH, probeRow, writeProbeModel } from './helpers/probe-model.js';
import { concatRows, maxAbsDiff, normalTensor } from './helpers/tensors.js';

// The probe model with two extra inputs: `row_bias` float [batch] (batch-aligned: split with the
// hidden states) and `global_bias` float [1] (fixed first dim: shared by every call). Its output is
// computed by hand, so the rows each call got are checked, not just the agreement of two modes.

const B = 2;
const sample = normalTensor(21, [B, 4, 2, 2]);
const uncond = normalTensor(22, [B, 3, PROBE_WIDTH]);
const cond = normalTensor(23, [B, 3, PROBE_WIDTH]);
const both = concatRows([uncond, cond]);
const rowBias = Tensor.from('float32', [0.5, -1.5, 2.25, 4], [2 * B]); // uncond rows, then cond rows
const globalBias = Tensor.from('float32', [0.125], [1]);
const rowSize = 16;
const stateSize = 3 * PROBE_WIDTH;

function expected(g: number): Float64Array {
  const out = new Float64Array(B * rowSize);
  for (let r = 0; r < B; r++) {
    const x = sample.data.subarray(r * rowSize, (r + 1) * rowSize);
    const u = probeRow(x, 500, uncond.data.subarray(r * stateSize, (r + 1) * stateSize), rowBias.data[r]! + 0.125);
    const c = probeRow(x, 500, cond.data.subarray(r * stateSize, (r + 1) * stateSize), rowBias.data[B + r]! + 0.125);
    for (let i = 0; i < rowSize; i++) out[r * rowSize + i] = g > 1 ? u[i]! + g * (c[i]! - u[i]!) : c[i]!;
  }
  return out;
}

describe.each(['float32', 'float16'] as const)('extra feeds on a %s model', (dtype) => {
  let modelPath: string;
  beforeAll(() => {
    modelPath = writeProbeModel({ dtype, extraInputs: true, config: { in_channels: 4 } });
  });
  const tolerance = dtype === 'float32' ? 1e-4 : 0.1;

  it.each(['batched', 'sequential'] as const)('batch-aligned feeds follow the hidden-state rows (%s)', async (guidanceBatching) => {
    const unet = await UNet.create(modelPath, { guidanceBatching });
    try {
      const spy = vi.spyOn(unet.session, 'run');
      const noise = await unet.predictNoise({
        sample,
        timestep: 500,
        encoderHiddenStates: both,
        guidanceScale: 3,
        extraFeeds: { row_bias: rowBias, global_bias: globalBias },
      });
      const fed = spy.mock.calls.map(([feeds]) => [feeds['row_bias']!.shape, feeds['global_bias']!.shape, feeds['row_bias']!.dtype]);
      spy.mockRestore();
      expect(fed).toEqual(guidanceBatching === 'batched' ? [[[4], [1], dtype]] : [[[2], [1], dtype], [[2], [1], dtype]]);
      expect(maxAbsDiff(noise.data, expected(3))).toBeLessThanOrEqual(tolerance);
    } finally {
      await unet.release();
    }
  });

  it('without guidance and 2B rows, the conditional half of aligned feeds is used', async () => {
    const unet = await UNet.create(modelPath);
    try {
      const noise = await unet.predictNoise({ sample, timestep: 500, encoderHiddenStates: both, guidanceScale: 1, extraFeeds: { row_bias: rowBias, global_bias: globalBias } });
      expect(maxAbsDiff(noise.data, expected(1))).toBeLessThanOrEqual(tolerance);
    } finally {
      await unet.release();
    }
  });
});

describe('extra feed errors', () => {
  let unet: UNet;
  beforeAll(async () => {
    unet = await UNet.create(writeProbeModel({ extraInputs: true, config: { in_channels: 4 } }));
  });
  afterAll(async () => {
    await unet?.release();
  });
  const args = { sample, timestep: 500, encoderHiddenStates: both, guidanceScale: 3 };

  it('names the inputs still missing', async () => {
    const error = await unet.predictNoise({ ...args, extraFeeds: { row_bias: rowBias } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtraFeedError);
    expect((error as Error).message).toMatch(/the model also needs 'global_bias' \(float32 \[1\]\), which predictNoise does not make; pass it in extraFeeds/);
  });

  it('refuses an input the model lacks, listing the extra inputs it has', async () => {
    await expect(unet.predictNoise({ ...args, extraFeeds: { row_bias: rowBias, global_bias: globalBias, lock_keys: globalBias } })).rejects.toThrow(
      /extraFeeds has 'lock_keys' but the model has no such input; its extra inputs are 'row_bias' \(float32 \[batch\]\), 'global_bias' \(float32 \[1\]\)/,
    );
  });

  it('refuses to override the standard inputs', async () => {
    await expect(unet.predictNoise({ ...args, extraFeeds: { timestep: globalBias } })).rejects.toThrow(/extraFeeds has 'timestep', which predictNoise feeds itself/);
  });
});
