import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readNpy } from '@perfusion/tensor-core';
import { diffusersUnetDir } from './paths.js';

export type Outputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/**
 * Runs a model (file path or bytes) on CPU once per feed set, with one session, and returns every
 * output's data and dims for each run.
 */
export async function runModelMany(model: string | Uint8Array, feedSets: Record<string, ort.Tensor>[]): Promise<Outputs[]> {
  const session =
    typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const runs: Outputs[] = [];
    for (const feeds of feedSets) {
      const results = await session.run(feeds);
      const out: Outputs = {};
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      }
      runs.push(out);
    }
    return runs;
  } finally {
    await session.release();
  }
}

/** Runs a model (file path or bytes) once on CPU and returns every output's data and dims. */
export async function runModel(model: string | Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Outputs> {
  return (await runModelMany(model, [feeds]))[0]!;
}

/** A float32 ORT tensor. */
export function f32(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/**
 * The diffusers fixture's recorded PyTorch inputs and output (io_*.npy; timestep 999 for both
 * batch entries, per the fixture's README).
 */
export function diffusersUnetIo(): { feeds: Record<string, ort.Tensor>; expected: Float32Array; ehs: Float32Array } {
  const npy = (name: string) => readNpy(fs.readFileSync(path.join(diffusersUnetDir, name)), name);
  const sample = npy('io_sample.npy');
  const ehs = npy('io_ehs.npy');
  const out = npy('io_out.npy');
  return {
    feeds: {
      sample: new ort.Tensor('float32', sample.data as Float32Array, sample.shape),
      timestep: new ort.Tensor('int64', new BigInt64Array([999n, 999n]), [2]),
      encoder_hidden_states: new ort.Tensor('float32', ehs.data as Float32Array, ehs.shape),
    },
    expected: out.data as Float32Array,
    ehs: ehs.data as Float32Array,
  };
}

/** Largest absolute elementwise difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
