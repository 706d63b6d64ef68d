import * as ort from 'onnxruntime-node';

/** Runs `modelPath` once with plain onnxruntime-node (no package code) and returns one output's data. */
export async function runRaw(modelPath: string, feeds: Record<string, ort.Tensor>, output: string): Promise<{ data: Float32Array | Uint16Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const result = (await session.run(feeds))[output]!;
    return { data: result.data as Float32Array | Uint16Array, dims: result.dims };
  } finally {
    await session.release();
  }
}

export { ort };

/** Largest absolute elementwise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
