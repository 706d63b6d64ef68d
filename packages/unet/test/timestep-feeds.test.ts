import { describe, expect, it, vi } from 'vitest';
import type { DType } from '@perfusion/tensor-core';
import { timestepTensor, UNet } from '../src/index.js';
import { PROBE_WIDTH, probeRow, writeProbeModel } from './helpers/probe-model.js';
import { concatRows, maxAbsDiff, normalTensor } from './helpers/tensors.js';

// Models that take the timestep in every dtype and shape exports use, checked against the probe's
// hand-computed output (out = 2·sample + 0.001·t + mean(states) per row; see helpers/probe-model.ts).

const B = 2;
const sample = normalTensor(11, [B, 4, 4, 4]);
const uncond = normalTensor(12, [B, 7, PROBE_WIDTH]);
const cond = normalTensor(13, [B, 7, PROBE_WIDTH]);
const both = concatRows([uncond, cond]);
const rowSize = 4 * 4 * 4;
const stateSize = 7 * PROBE_WIDTH;

/** The guided output the probe must give, in float64. */
function expectedGuided(t: number, g: number): Float64Array {
  const out = new Float64Array(B * rowSize);
  for (let r = 0; r < B; r++) {
    const x = sample.data.subarray(r * rowSize, (r + 1) * rowSize);
    const u = probeRow(x, t, uncond.data.subarray(r * stateSize, (r + 1) * stateSize));
    const c = probeRow(x, t, cond.data.subarray(r * stateSize, (r + 1) * stateSize));
    for (let i = 0; i < rowSize; i++) out[r * rowSize + i] = u[i]! + g * (c[i]! - u[i]!);
  }
  return out;
}

const layouts: { dtype: DType; shape: (number | string)[]; layout: string; fed: number[] }[] = [
  { dtype: 'int64', shape: ['batch'], layout: 'batch', fed: [2 * B] },
  { dtype: 'int32', shape: ['batch'], layout: 'batch', fed: [2 * B] },
  { dtype: 'float32', shape: ['batch'], layout: 'batch', fed: [2 * B] },
  { dtype: 'float16', shape: ['batch'], layout: 'batch', fed: [2 * B] },
  { dtype: 'int64', shape: [1], layout: 'one', fed: [1] },
  { dtype: 'float32', shape: [], layout: 'scalar', fed: [] },
];

describe.each(layouts)('timestep $dtype $shape', ({ dtype, shape, layout, fed }) => {
  it.each(['batched', 'sequential'] as const)('is fed as the model declares (%s guidance)', async (guidanceBatching) => {
    const unet = await UNet.create(writeProbeModel({ timestepDType: dtype, timestepShape: shape, config: { in_channels: 4 } }), { guidanceBatching });
    try {
      expect(unet.timestepDType).toBe(dtype);
      expect(unet.timestepLayout).toBe(layout);
      const spy = vi.spyOn(unet.session, 'run');
      const noise = await unet.predictNoise({ sample, timestep: 801, encoderHiddenStates: both, guidanceScale: 5 });
      const t = spy.mock.calls[0]![0]['timestep']!;
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual(guidanceBatching === 'batched' || layout !== 'batch' ? fed : [B]);
      spy.mockRestore();
      expect(maxAbsDiff(noise.data, expectedGuided(801, 5))).toBeLessThanOrEqual(1e-4);
    } finally {
      await unet.release();
    }
  });
});

describe('timestepTensor', () => {
  it('truncates toward zero for integer dtypes and keeps fractions for float ones', () => {
    expect(Array.from(timestepTensor(946.8, 'int64', 'batch', 2).data as BigInt64Array)).toEqual([946n, 946n]);
    expect(Array.from(timestepTensor(946.8, 'int32', 'one', 2).data as Int32Array)).toEqual([946]);
    expect(Array.from(timestepTensor(946.5, 'float32', 'scalar', 2).data as Float32Array)).toEqual([946.5]);
    // 946.5 in float16: spacing 0.5 between 512 and 1024, so exact; bits 0x6365.
    expect(Array.from(timestepTensor(946.5, 'float16', 'batch', 1).data as Uint16Array)).toEqual([0x6365]);
    expect(timestepTensor(1, 'float32', 'scalar', 4).shape).toEqual([]);
  });

  it('refuses non-finite timesteps', () => {
    expect(() => timestepTensor(Number.NaN, 'int64', 'batch', 1)).toThrow(/timestep is NaN; pass a finite number/);
  });
});
