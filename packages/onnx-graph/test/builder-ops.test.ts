import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Tensor } from '@perfusion/tensor-core';
import { GraphBuilder } from '../src/builder/index.js';
import type { Value } from '../src/builder/index.js';
import {
  expectClose,
  f32,
  refConv2d,
  refMatMul,
  refNormaliseRuns,
  refSoftmaxRows,
  runModel,
  seeded,
} from './builder-support.js';

// Every expected value below is computed in plain JS from the ONNX operator definition (see
// builder-support.ts), never copied from an ORT run.

/** Builds a one-input graph `y = body(x)` and runs it on `data`. */
async function runUnary(
  dims: readonly number[],
  data: readonly number[],
  body: (b: GraphBuilder, x: Value) => Value,
): Promise<ort.Tensor> {
  const b = new GraphBuilder({ name: 'unary' });
  const x = b.input('x', 'float32', dims);
  b.output(body(b, x), 'y');
  const out = await runModel(b.build(), { x: f32(data, dims) });
  return out['y']!;
}

const x6 = seeded(6, 7).map((v) => 3 * v);

describe('elementwise helpers', () => {
  const cases: [string, (b: GraphBuilder, x: Value) => Value, (v: number) => number][] = [
    ['add literal', (b, x) => b.add(x, 2), (v) => v + 2],
    ['sub literal', (b, x) => b.sub(x, 0.5), (v) => v - 0.5],
    ['mul literal', (b, x) => b.mul(x, -3), (v) => -3 * v],
    ['div literal', (b, x) => b.div(x, 4), (v) => v / 4],
    ['pow', (b, x) => b.pow(x, 2), (v) => v * v],
    ['sqrt of square', (b, x) => b.sqrt(b.mul(x, x)), (v) => Math.abs(v)],
    ['exp', (b, x) => b.exp(x), Math.exp],
    ['sin', (b, x) => b.sin(x), Math.sin],
    ['cos', (b, x) => b.cos(x), Math.cos],
    ['sigmoid', (b, x) => b.sigmoid(x), (v) => 1 / (1 + Math.exp(-v))],
    ['silu', (b, x) => b.silu(x), (v) => v / (1 + Math.exp(-v))],
    ['quickGelu', (b, x) => b.quickGelu(x), (v) => v / (1 + Math.exp(-1.702 * v))],
    // erf(v/√2) from the normal CDF identity Φ(v) = ½(1 + erf(v/√2)), Φ by numeric integration.
    ['gelu', (b, x) => b.gelu(x), (v) => v * normalCdf(v)],
    ['erf', (b, x) => b.erf(x), (v) => 2 * normalCdf(v * Math.SQRT2) - 1],
  ];
  it.each(cases)('%s matches its definition', async (_name, body, reference) => {
    const y = await runUnary([2, 3], x6, body);
    expectClose(y.data as Float32Array, x6.map(reference), 1e-5);
  });
});

describe('matrix products', () => {
  it('matMul multiplies [2,3]·[3,4]', async () => {
    const a = seeded(6, 1);
    const w = seeded(12, 2);
    const y = await runUnary([2, 3], a, (b, x) => b.matMul(x, b.initializer('w', new Tensor('float32', Float32Array.from(w), [3, 4]))));
    expect(y.dims).toEqual([2, 4]);
    expectClose(y.data as Float32Array, refMatMul(a, w, 2, 3, 4));
  });

  it('gemm with transB adds the bias to x·Wᵀ (torch Linear)', async () => {
    const a = seeded(6, 3);
    const weight = seeded(12, 4); // [out 4, in 3]
    const bias = [0.1, -0.2, 0.3, -0.4];
    const y = await runUnary([2, 3], a, (b, x) =>
      b.gemm(x, b.parameter('w', [4, 3], Float32Array.from(weight)), b.parameter('bias', [4], Float32Array.from(bias)), {
        transB: true,
      }),
    );
    const wT = Array.from({ length: 12 }, (_, i) => weight[(i % 4) * 3 + Math.floor(i / 4)]!);
    expectClose(
      y.data as Float32Array,
      refMatMul(a, wT, 2, 3, 4).map((v, i) => v + bias[i % 4]!),
    );
  });
});

describe('normalisation and softmax', () => {
  const data = seeded(24, 11).map((v, i) => v * (1 + (i % 5)));

  it('softmax normalises the last axis', async () => {
    const y = await runUnary([2, 3, 4], data, (b, x) => b.softmax(x, -1));
    expectClose(y.data as Float32Array, refSoftmaxRows(data, 4));
  });

  it.each([false, true])('layerNorm (decomposed: %s) normalises the last axis with weight and bias', async (decomposed) => {
    const weight = [1.5, -0.5, 2, 0.25];
    const bias = [0.1, 0.2, 0.3, 0.4];
    const y = await runUnary([2, 3, 4], data, (b, x) =>
      b.layerNorm(x, b.parameter('w', [4], Float32Array.from(weight)), b.parameter('b', [4], Float32Array.from(bias)), {
        epsilon: 1e-5,
        decomposed,
      }),
    );
    const expected = refNormaliseRuns(data, 4, 1e-5).map((v, i) => v * weight[i % 4]! + bias[i % 4]!);
    expectClose(y.data as Float32Array, expected, 1e-4);
  });

  it('groupNorm normalises each group of channels and applies the per-channel affine', async () => {
    // [N=2, C=4, H=1, W=3], 2 groups of 2 channels → runs of 6 consecutive values.
    const weight = [1, 2, 3, 4];
    const bias = [0, -1, 1, 0.5];
    const y = await runUnary([2, 4, 1, 3], data, (b, x) =>
      b.groupNorm(x, {
        groups: 2,
        weight: b.parameter('w', [4, 1, 1], Float32Array.from(weight)),
        bias: b.parameter('b', [4, 1, 1], Float32Array.from(bias)),
        epsilon: 1e-6,
      }),
    );
    const channelOf = (i: number) => Math.floor(i / 3) % 4;
    const expected = refNormaliseRuns(data, 6, 1e-6).map((v, i) => v * weight[channelOf(i)]! + bias[channelOf(i)]!);
    expect(y.dims).toEqual([2, 4, 1, 3]);
    expectClose(y.data as Float32Array, expected, 1e-4);
  });

  it('reduceMean keeps or drops the reduced axis', async () => {
    const kept = await runUnary([2, 3, 4], data, (b, x) => b.reduceMean(x, [-1]));
    const dropped = await runUnary([2, 3, 4], data, (b, x) => b.reduceMean(x, [1], false));
    expect(kept.dims).toEqual([2, 3, 1]);
    expectClose(kept.data as Float32Array, [0, 1, 2, 3, 4, 5].map((r) => mean(data.slice(4 * r, 4 * r + 4))));
    expect(dropped.dims).toEqual([2, 4]);
    const expectedDropped = [0, 1].flatMap((n) => [0, 1, 2, 3].map((w) => mean([0, 1, 2].map((c) => data[n * 12 + c * 4 + w]!))));
    expectClose(dropped.data as Float32Array, expectedDropped);
  });
});

describe('convolutions and resize', () => {
  const xDims = [1, 2, 5, 5];
  const x = seeded(50, 21);
  const wDims = [3, 2, 3, 3];
  const w = seeded(54, 22);
  const bias = [0.5, -0.5, 0.25];

  it.each([
    [1, [1, 1, 1, 1]],
    [2, [1, 1, 1, 1]],
    [2, [0, 0, 1, 1]],
  ])('conv with stride %i and pads %j matches a direct convolution', async (stride, pads) => {
    const y = await runUnary(xDims, x, (b, input) =>
      b.conv(input, b.parameter('w', wDims, Float32Array.from(w)), b.parameter('b', [3], Float32Array.from(bias)), {
        strides: [stride, stride],
        pads,
      }),
    );
    const expected = refConv2d(x, xDims, w, wDims, bias, stride, pads);
    expect(y.dims).toEqual(expected.dims);
    expectClose(y.data as Float32Array, expected.data, 1e-4);
  });

  it('convTranspose with stride 2 scatters each input pixel into a 2×2 block', async () => {
    // Weight [Cin 1, Cout 1, 2, 2]; stride 2, no overlap: y[2i+a][2j+b] = x[i][j]·w[a][b] + bias.
    const xs = [1, 2, 3, 4];
    const ws = [1, 10, 100, 1000];
    const y = await runUnary([1, 1, 2, 2], xs, (b, input) =>
      b.convTranspose(input, b.parameter('w', [1, 1, 2, 2], Float32Array.from(ws)), b.parameter('b', [1], Float32Array.of(0.5)), {
        strides: [2, 2],
      }),
    );
    expect(y.dims).toEqual([1, 1, 4, 4]);
    const expected: number[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expected.push(xs[(r >> 1) * 2 + (c >> 1)]! * ws[(r % 2) * 2 + (c % 2)]! + 0.5);
    expectClose(y.data as Float32Array, expected);
  });

  it('resize nearest ×2 repeats each pixel into a 2×2 block (diffusers Upsample2D)', async () => {
    const xs = [1, 2, 3, 4, 5, 6];
    const y = await runUnary([1, 1, 2, 3], xs, (b, input) => b.resize(input, { scales: [1, 1, 2, 2] }));
    expect(y.dims).toEqual([1, 1, 4, 6]);
    const expected: number[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) expected.push(xs[(r >> 1) * 3 + (c >> 1)]!);
    expectClose(y.data as Float32Array, expected);
  });
});

describe('shape and indexing helpers', () => {
  const data = Array.from({ length: 24 }, (_, i) => i); // [2, 3, 4], value = flat index

  it('reshape with 0 and -1, then transpose', async () => {
    const y = await runUnary([2, 3, 4], data, (b, x) => b.transpose(b.reshape(x, [0, -1]), [1, 0]));
    expect(y.dims).toEqual([12, 2]);
    expectClose(y.data as Float32Array, Array.from({ length: 24 }, (_, i) => (i % 2) * 12 + Math.floor(i / 2)));
  });

  it('split returns one value per size, in order', async () => {
    const b = new GraphBuilder({ name: 'split' });
    const x = b.input('x', 'float32', [2, 3, 4]);
    const [first, second] = b.split(x, -1, [1, 3]);
    b.output(first!, 'first');
    b.output(second!, 'second');
    const out = await runModel(b.build(), { x: f32(data, [2, 3, 4]) });
    expect(out['first']!.dims).toEqual([2, 3, 1]);
    expect(out['second']!.dims).toEqual([2, 3, 3]);
    expectClose(out['first']!.data as Float32Array, [0, 4, 8, 12, 16, 20]);
    expectClose(out['second']!.data as Float32Array, data.filter((v) => v % 4 !== 0));
  });

  it('slice with axes and steps', async () => {
    const y = await runUnary([2, 3, 4], data, (b, x) => b.slice(x, [1, 0], [3, 100], [1, 2], [1, 2]));
    expect(y.dims).toEqual([2, 2, 2]);
    expectClose(y.data as Float32Array, [4, 6, 8, 10, 16, 18, 20, 22]);
  });

  it('gather with a scalar index drops the axis; with a list keeps it', async () => {
    const scalar = await runUnary([2, 3, 4], data, (b, x) => b.gather(x, 2, 1));
    const list = await runUnary([2, 3, 4], data, (b, x) => b.gather(x, [3, 0], 2));
    expect(scalar.dims).toEqual([2, 4]);
    expectClose(scalar.data as Float32Array, [8, 9, 10, 11, 20, 21, 22, 23]);
    expect(list.dims).toEqual([2, 3, 2]);
    expectClose(list.data as Float32Array, [3, 0, 7, 4, 11, 8, 15, 12, 19, 16, 23, 20]);
  });

  it('unsqueeze, squeeze, concat and expand', async () => {
    const y = await runUnary([2, 3, 4], data, (b, x) => {
      const lifted = b.unsqueeze(x, [0]); // [1, 2, 3, 4]
      const joined = b.concat([lifted, lifted], 0); // [2, 2, 3, 4]
      return b.squeeze(b.slice(joined, [1], [2], [0]), [0]); // back to [2, 3, 4]
    });
    expectClose(y.data as Float32Array, data);
    const e = await runUnary([1, 3], [1, 2, 3], (b, x) => b.expand(x, [2, 3]));
    expect(e.dims).toEqual([2, 3]);
    expectClose(e.data as Float32Array, [1, 2, 3, 1, 2, 3]);
  });

  it('shape, constantOfShape, equal, where, cast, argMax, gatherND, pad, identity', async () => {
    const b = new GraphBuilder({ name: 'misc' });
    const x = b.input('x', 'float32', ['n', 3]);
    const zeros = b.constantOfShape(b.shape(x), 0);
    const mask = b.equal(x, zeros);
    const picked = b.where(mask, b.add(zeros, -1), x);
    const asInt = b.cast(picked, 'int32');
    const best = b.argMax(x, -1); // [n, 1] int64
    const rows = b.gatherND(x, best, 1); // x[r, best[r]]
    const padded = b.pad(x, [0, 1, 0, 0]); // one zero column in front
    b.output(asInt, 'as_int', 'int32');
    b.output(b.identity(rows), 'rows');
    b.output(padded, 'padded');
    b.output(b.shape(x, 1), 'width', 'int64');
    const out = await runModel(b.build(), { x: f32([0, 2.7, -1.2, 5, 0, 3], [2, 3]) });
    expect(Array.from(out['as_int']!.data as Int32Array)).toEqual([-1, 2, -1, 5, -1, 3]);
    expectClose(out['rows']!.data as Float32Array, [2.7, 5]);
    expectClose(out['padded']!.data as Float32Array, [0, 0, 2.7, -1.2, 0, 5, 0, 3]);
    expect(Array.from(out['width']!.data as BigInt64Array)).toEqual([3n]);
  });
});

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Φ(v) by Simpson integration of the standard normal density from 0 (accurate to ~1e-10 here). */
function normalCdf(v: number): number {
  const steps = 2000;
  const h = v / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * Math.exp(-((i * h) ** 2) / 2);
  }
  return 0.5 + (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}
