import * as path from 'node:path';
import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { ensureFixture } from '@perfusion/fixtures';
import { Tensor, toFloat16Array, toFloat32Array } from '@perfusion/tensor-core';
import { applyGuidance, UNet } from '../src/index.js';
import { concatRows, maxAbsDiff, normalTensor } from './helpers/tensors.js';

// The `tiny` fixture's UNet (SD-1.x layout at toy widths: 4 latent channels, cross-attention width 32).
const B = 2;
const sample = normalTensor(1, [B, 4, 8, 8]);
const uncondStates = normalTensor(2, [B, 77, 32]);
const condStates = normalTensor(3, [B, 77, 32]);
const bothStates = concatRows([uncondStates, condStates]);
const timestep = 981;
const g = 7.5;

/** The model run once on `states` with the session itself (no UNet logic), as float32. */
async function rawRun(unet: UNet, x: Tensor<'float32'>, states: Tensor<'float32'>): Promise<Float32Array> {
  const rows = x.shape[0]!;
  const half = unet.sampleDType === 'float16';
  const cast = (t: Tensor<'float32'>): Tensor => (half ? new Tensor('float16', toFloat16Array(t.data), t.shape) : t);
  const out = await unet.session.run(
    { sample: cast(x), timestep: new Tensor('int64', new BigInt64Array(rows).fill(BigInt(timestep)), [rows]), encoder_hidden_states: cast(states) },
    ['out_sample'],
  );
  const o = out['out_sample']!;
  return o.is('float32') ? o.data : toFloat32Array(o.data as Uint16Array);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

describe.each(['float32', 'float16'] as const)('tiny fixture UNet (%s)', (dtype) => {
  let batched: UNet;
  let sequential: UNet;

  beforeAll(async () => {
    const dir = await ensureFixture('tiny', { dtype, seed: 0 });
    const modelPath = path.join(dir, 'unet', 'model.onnx');
    batched = await UNet.create(modelPath);
    sequential = await UNet.create(modelPath, { guidanceBatching: 'sequential' });
  });
  afterAll(async () => {
    await batched?.release();
    await sequential?.release();
  });

  it('reads its interface from the session metadata and config.json', () => {
    expect(batched.inChannels).toBe(4);
    expect(batched.crossAttentionDim).toBe(32);
    expect(batched.timestepDType).toBe('int64');
    expect(batched.timestepLayout).toBe('batch');
    expect(batched.sampleDType).toBe(dtype);
    expect(batched.hiddenStatesDType).toBe(dtype);
    expect(batched.sampleSize).toBe(8);
    expect(batched.guidanceBatching).toBe('batched');
    expect(sequential.guidanceBatching).toBe('sequential');
  });

  it('batched guidance runs one call of 2B rows and equals uncond + g·(cond − uncond) of two raw runs', async () => {
    const spy = vi.spyOn(batched.session, 'run');
    const noise = await batched.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    expect(spy).toHaveBeenCalledTimes(1);
    const feeds = spy.mock.calls[0]![0];
    expect(feeds['sample']!.shape).toEqual([2 * B, 4, 8, 8]);
    expect(feeds['encoder_hidden_states']!.shape).toEqual([2 * B, 77, 32]);
    expect(feeds['timestep']!.shape).toEqual([2 * B]);
    expect(feeds['sample']!.dtype).toBe(dtype);
    spy.mockRestore();

    expect(noise.dtype).toBe('float32');
    expect(noise.shape).toEqual([B, 4, 8, 8]);
    const uncond = await rawRun(batched, sample, uncondStates);
    const cond = await rawRun(batched, sample, condStates);
    const expected = applyGuidance(uncond, cond, g, new Float32Array(uncond.length));
    // Different batch sizes may pick different kernels: allow float rounding, relative to the output's size.
    const tolerance = (dtype === 'float32' ? 1e-5 : 2e-2) * maxAbs(expected);
    expect(maxAbsDiff(noise.data, expected)).toBeLessThanOrEqual(tolerance);
    // Guidance changed something: the result is not the conditional prediction.
    expect(maxAbsDiff(noise.data, cond)).toBeGreaterThan(10 * tolerance);
  });

  it('sequential guidance runs two calls of B rows and matches batched guidance', async () => {
    const spy = vi.spyOn(sequential.session, 'run');
    const noise = await sequential.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [feeds] of spy.mock.calls) {
      expect(feeds['sample']!.shape).toEqual([B, 4, 8, 8]);
      expect(feeds['encoder_hidden_states']!.shape).toEqual([B, 77, 32]);
      expect(feeds['timestep']!.shape).toEqual([B]);
    }
    // First call: the unconditional rows, second: the conditional rows.
    const hidden = (call: number): Float32Array => {
      const t = spy.mock.calls[call]![0]['encoder_hidden_states']!;
      return t.is('float32') ? t.data : new Float32Array(0);
    };
    if (dtype === 'float32') {
      expect(Array.from(hidden(0))).toEqual(Array.from(uncondStates.data));
      expect(Array.from(hidden(1))).toEqual(Array.from(condStates.data));
    }
    spy.mockRestore();

    const reference = await batched.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    expect(noise.shape).toEqual([B, 4, 8, 8]);
    const tolerance = (dtype === 'float32' ? 1e-5 : 2e-2) * maxAbs(reference.data);
    expect(maxAbsDiff(noise.data, reference.data)).toBeLessThanOrEqual(tolerance);
  });

  it.each([1, 0.5, 0])('guidanceScale %s makes exactly one call of B conditional rows', async (scale) => {
    const before = batched.session.stats.calls;
    const spy = vi.spyOn(batched.session, 'run');
    const noise = await batched.predictNoise({ sample, timestep, encoderHiddenStates: condStates, guidanceScale: scale });
    expect(spy).toHaveBeenCalledTimes(1);
    const feeds = spy.mock.calls[0]![0];
    expect(feeds['sample']!.shape).toEqual([B, 4, 8, 8]);
    expect(feeds['encoder_hidden_states']!.shape).toEqual([B, 77, 32]);
    expect(feeds['timestep']!.shape).toEqual([B]);
    spy.mockRestore();
    expect(batched.session.stats.calls).toBe(before + 1);
    expect(noise.shape).toEqual([B, 4, 8, 8]);
    expect(maxAbsDiff(noise.data, await rawRun(batched, sample, condStates))).toBeLessThanOrEqual(1e-6 * maxAbs(noise.data));
  });

  it('without guidance, 2B rows of states use the conditional half only', async () => {
    const fromHalf = await sequential.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: 1 });
    const fromCond = await sequential.predictNoise({ sample, timestep, encoderHiddenStates: condStates, guidanceScale: 1 });
    expect(Array.from(fromHalf.data)).toEqual(Array.from(fromCond.data));
  });

  it('reuses its batch buffers between calls of the same shape', async () => {
    const spy = vi.spyOn(batched.session, 'run');
    await batched.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    await batched.predictNoise({ sample: normalTensor(9, [B, 4, 8, 8]), timestep: 961, encoderHiddenStates: bothStates, guidanceScale: g });
    const [first, second] = spy.mock.calls.map(([feeds]) => feeds);
    spy.mockRestore();
    expect(second!['sample']!.data).toBe(first!['sample']!.data);
    if (dtype === 'float16') expect(second!['encoder_hidden_states']!.data).toBe(first!['encoder_hidden_states']!.data);
  });

  it('concurrent calls queue and each gets its own result', async () => {
    const other = normalTensor(10, [B, 4, 8, 8]);
    const [a, b] = await Promise.all([
      batched.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g }),
      batched.predictNoise({ sample: other, timestep, encoderHiddenStates: bothStates, guidanceScale: g }),
    ]);
    const a2 = await batched.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    const b2 = await batched.predictNoise({ sample: other, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
    expect(Array.from(a.data)).toEqual(Array.from(a2.data));
    expect(Array.from(b.data)).toEqual(Array.from(b2.data));
    expect(a.data).not.toBe(b.data);
  });
});

describe('tiny fixture: float16 against float32', () => {
  it('gives finite noise close to the float32 model', async () => {
    const results: Float32Array[] = [];
    for (const dtype of ['float32', 'float16'] as const) {
      const dir = await ensureFixture('tiny', { dtype, seed: 0 });
      const unet = await UNet.create(path.join(dir, 'unet', 'model.onnx'));
      try {
        const noise = await unet.predictNoise({ sample, timestep, encoderHiddenStates: bothStates, guidanceScale: g });
        expect(noise.dtype).toBe('float32');
        results.push(noise.data);
      } finally {
        await unet.release();
      }
    }
    const [fp32, fp16] = results as [Float32Array, Float32Array];
    expect(fp16.every(Number.isFinite)).toBe(true);
    // float16 weights and activations: about 3 significant digits, amplified by g = 7.5 through guidance.
    expect(maxAbsDiff(fp16, fp32)).toBeLessThanOrEqual(2e-2 * maxAbs(fp32));
    expect(maxAbsDiff(fp16, fp32)).toBeGreaterThan(0); // really the float16 graph
  });
});
