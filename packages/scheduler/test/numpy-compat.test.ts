import { describe, expect, it } from 'vitest';
import { numpyArange, numpyInterp, numpyLinspace, roundHalfEven } from '../src/numpy-compat.js';
import { torchLinspaceFloat32 } from '../src/torch-linspace.js';
import { golden } from './schedulers-golden.js';

// Expected values are NumPy 1.24's / torch 1.13.1's outputs for these calls (written down by running
// them with /usr/bin/python3; the calls are in each test's comment).

describe('NumPy-compatible helpers', () => {
  it('roundHalfEven rounds ties to even like np.round', () => {
    // np.round([0.5, 1.5, 2.5, -1.5, 936.5, 937.5, 2.4999]) → [0, 2, 2, -2, 936, 938, 2]
    expect([0.5, 1.5, 2.5, -1.5, 936.5, 937.5, 2.4999].map(roundHalfEven)).toEqual([0, 2, 2, -2, 936, 938, 2]);
  });

  it('numpyArange has NumPy\'s length and element formula', () => {
    // np.arange(1000, 0, -1000/7) → 7 elements, the last 142.85714285714266 (not 1000/7 = 142.85714285714286)
    const values = numpyArange(1000, 0, -1000 / 7);
    expect(values).toHaveLength(7);
    expect(values[6]).toBe(142.85714285714266);
    expect(numpyArange(0, 0, 1)).toEqual([]);
  });

  it('numpyLinspace ends exactly at stop', () => {
    // np.linspace(0, 999, 7) → [..., 832.5, 999.0]
    const values = numpyLinspace(0, 999, 7);
    expect(values[5]).toBe(832.5);
    expect(values[6]).toBe(999);
    expect(numpyLinspace(0, 999, 1)).toEqual([0]);
  });

  it('numpyInterp is exact at knots and clamps outside', () => {
    const xp = [0, 1, 2];
    const fp = [10, 20, 40];
    expect([-1, 0, 0.25, 1, 1.5, 2, 3].map((x) => numpyInterp(x, xp, fp))).toEqual([10, 10, 12.5, 20, 30, 40, 40]);
  });
});

describe('torchLinspaceFloat32', () => {
  it('equals torch.linspace(start, end, steps, dtype=torch.float32) bit for bit', () => {
    // golden/schedulers.json holds torch's output for a few (start, end, steps), chosen so that
    // plain float32 arithmetic (no fused multiply-add, no 8-lane blocks) gets some elements wrong.
    for (const { start, end, steps, values } of golden.torch_linspace) {
      expect(Array.from(torchLinspaceFloat32(start, end, steps)), `${start}, ${end}, ${steps}`).toEqual(values);
    }
  });
});
