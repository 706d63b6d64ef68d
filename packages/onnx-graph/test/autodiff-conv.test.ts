import { describe, expect, it } from 'vitest';
import { checkGradients, node, type Problem } from './autodiff-support.js';

// Conv and Resize against central finite differences of loss = Σ y·r. onnxruntime's CPU provider has
// no float64 Conv / ConvTranspose / Resize kernels, so these run in float32. The loss is linear in
// each of x, w, b separately (and in x for Resize), so the central difference is exact for any h and
// only rounding remains: with h = 0.5 the float32 rounding of a loss of size ~10 (~1e-6) divided by
// 2h stays near 1e-6, asserted < 1e-4 (error measure |analytic − numeric| / (1 + |numeric|)).
const maxErrors: Record<string, number> = {};
const TOL32 = 1e-4;
const H = 0.5;

async function expectGradient(label: string, problem: Problem, wrt: string[], tol: number, h?: number): Promise<void> {
  const { maxError } = await checkGradients(problem, wrt, h === undefined ? {} : { h });
  maxErrors[label] = maxError;
  expect(maxError, label).toBeLessThan(tol);
}

interface ConvCase {
  x: number[];
  w: number[];
  y: number[];
  bias?: boolean;
  attrs?: Record<string, number | number[]>;
}

function convProblem(c: ConvCase): Problem {
  return {
    precision: 'float',
    inputs: { x: { dims: c.x }, w: { dims: c.w }, ...(c.bias ? { b: { dims: [c.w[0]!] } } : {}) },
    nodes: [node('Conv', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], ['y'], c.attrs)],
    y: 'y',
    yDims: c.y,
  };
}

describe('Conv', () => {
  const cases: [string, ConvCase][] = [
    ['plain 3×3', { x: [2, 3, 5, 5], w: [4, 3, 3, 3], y: [2, 4, 3, 3] }],
    ['bias, pads 1', { x: [1, 2, 4, 5], w: [3, 2, 3, 3], y: [1, 3, 4, 5], bias: true, attrs: { pads: [1, 1, 1, 1] } }],
    ['stride 2, pads 1 (odd input: unread rows)', { x: [1, 2, 6, 7], w: [3, 2, 3, 3], y: [1, 3, 3, 4], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } }],
    ['asymmetric pads, stride (2,1), dilation 2', { x: [2, 2, 7, 6], w: [2, 2, 2, 3], y: [2, 2, 3, 3], attrs: { strides: [2, 1], pads: [0, 1, 1, 0], dilations: [2, 2] } }],
    ['groups 2, 1×1 kernel', { x: [2, 4, 3, 3], w: [6, 2, 1, 1], y: [2, 6, 3, 3], bias: true, attrs: { group: 2 } }],
    ['groups 2, stride 2, pads', { x: [1, 4, 5, 5], w: [4, 2, 3, 3], y: [1, 4, 3, 3], bias: true, attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] } }],
    ['stride 3, no pads (last input row and column unread)', { x: [1, 2, 7, 7], w: [2, 2, 3, 3], y: [1, 2, 2, 2], bias: true, attrs: { strides: [3, 3] } }],
    ['1-D with kernel_shape, pads, stride', { x: [2, 3, 8], w: [2, 3, 3], y: [2, 2, 4], bias: true, attrs: { kernel_shape: [3], strides: [2], pads: [1, 0] } }],
    ['depthwise', { x: [1, 3, 4, 4], w: [3, 1, 3, 3], y: [1, 3, 4, 4], attrs: { group: 3, pads: [1, 1, 1, 1] } }],
  ];
  for (const [label, c] of cases) {
    it(label, async () => {
      await expectGradient(`Conv ${label}`, convProblem(c), c.bias ? ['x', 'w', 'b'] : ['x', 'w'], TOL32, H);
    });
  }
});

function resizeProblem(x: number[], y: number[], attrs: Record<string, string>, by: 'scales' | 'sizes', factors: number[]): Problem {
  const value = by === 'scales' ? { value_floats: { kind: 'floats' as const, value: factors } } : { value_ints: y };
  return {
    precision: 'float',
    inputs: { x: { dims: x } },
    nodes: [
      node('Constant', [], ['f'], value),
      node('Resize', by === 'scales' ? ['x', '', 'f'] : ['x', '', '', 'f'], ['y'], attrs),
    ],
    y: 'y',
    yDims: y,
  };
}

describe('Resize (nearest, integer factors)', () => {
  it('diffusers Upsample2D: scales [1, 1, 2, 2], asymmetric + floor', async () => {
    const attrs = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    await expectGradient('Resize ×2 asymmetric floor', resizeProblem([2, 3, 3, 4], [2, 3, 6, 8], attrs, 'scales', [1, 1, 2, 2]), ['x'], TOL32, H);
  });
  it('scales [1, 1, 3, 2] with the default half_pixel + round_prefer_floor', async () => {
    await expectGradient('Resize ×(3,2) half_pixel', resizeProblem([1, 2, 3, 2], [1, 2, 9, 4], { mode: 'nearest' }, 'scales', [1, 1, 3, 2]), ['x'], TOL32, H);
  });
  it('sizes input instead of scales', async () => {
    const attrs = { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    await expectGradient('Resize sizes', resizeProblem([1, 2, 2, 3], [1, 2, 4, 9], attrs, 'sizes', [1, 2, 4, 9]), ['x'], TOL32, H);
  });
  it('rejects linear mode with a clear error', async () => {
    await expect(checkGradients(resizeProblem([1, 1, 2, 2], [1, 1, 4, 4], { mode: 'linear' }, 'scales', [1, 1, 2, 2]), ['x'])).rejects.toThrow(
      /only nearest-neighbour upscaling/,
    );
  });
});

describe('tolerances reached', () => {
  it('prints the largest error of each rule', () => {
    console.log(Object.entries(maxErrors).map(([k, v]) => `${k}: ${v.toExponential(1)}`).join('\n'));
  });
});
