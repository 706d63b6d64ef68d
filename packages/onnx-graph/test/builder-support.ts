/**
 * Test support for the graph-builder tests: run a built model in onnxruntime-node, and plain-JS
 * reference implementations of the ops (written from the ONNX operator specs) to compare with.
 */
import { toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { type ModelProto, ModelProtoSchema } from '../src/gen/onnx_pb.js';

export type Feeds = Record<string, ort.Tensor>;

/** Creates a CPU session for `model`, runs it once and returns every output. */
export async function runModel(model: ModelProto, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, model), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export function f32(data: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(data), dims);
}

/** Deterministic pseudo-random values in [-1, 1) (a small LCG; quality does not matter here). */
export function seeded(count: number, seed = 1): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (!(Math.abs(a - e) <= tolerance * (1 + Math.abs(e)))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (tolerance ${tolerance})`);
    }
  }
}

/** Row-major matrix product of [m, k] and [k, n]. */
export function refMatMul(a: readonly number[], b: readonly number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

/** Softmax over rows of length `n`. */
export function refSoftmaxRows(x: readonly number[], n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const row = x.slice(r * n, (r + 1) * n);
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((s, v) => s + v, 0);
    out.push(...exps.map((v) => v / sum));
  }
  return out;
}

/** Normalises consecutive runs of `n` values to zero mean, unit (biased) variance. */
export function refNormaliseRuns(x: readonly number[], n: number, epsilon: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    const run = x.slice(r * n, (r + 1) * n);
    const mean = run.reduce((s, v) => s + v, 0) / n;
    const variance = run.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    out.push(...run.map((v) => (v - mean) / Math.sqrt(variance + epsilon)));
  }
  return out;
}

/** 2-D convolution, NCHW, weight [Cout, Cin, kh, kw], zero padding [top, left, bottom, right]. */
export function refConv2d(
  x: readonly number[],
  [n, cin, h, w]: readonly number[],
  weight: readonly number[],
  [cout, , kh, kw]: readonly number[],
  bias: readonly number[],
  stride: number,
  [pt, pl, pb, pr]: readonly number[],
): { data: number[]; dims: number[] } {
  const oh = Math.floor((h! + pt! + pb! - kh!) / stride) + 1;
  const ow = Math.floor((w! + pl! + pr! - kw!) / stride) + 1;
  const data: number[] = [];
  for (let b = 0; b < n!; b++)
    for (let o = 0; o < cout!; o++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = bias[o]!;
          for (let c = 0; c < cin!; c++)
            for (let i = 0; i < kh!; i++)
              for (let j = 0; j < kw!; j++) {
                const sy = y * stride + i - pt!;
                const sx = xx * stride + j - pl!;
                if (sy < 0 || sy >= h! || sx < 0 || sx >= w!) continue;
                acc += x[((b * cin! + c) * h! + sy) * w! + sx]! * weight[((o * cin! + c) * kh! + i) * kw! + j]!;
              }
          data.push(acc);
        }
  return { data, dims: [n!, cout!, oh, ow] };
}
