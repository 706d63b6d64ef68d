import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
import { Rng, SpdSolver, Tensor, fromOrtTensor, toFloat16Array, toFloat32Array, toOrtTensor } from '@perfusion/tensor-core';

// The README's example is the code between the example markers below, preceded by the import line
// above; the first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', () => {
    // example:start
    // Seeded noise: the same seed gives the same numbers on every platform.
    const rng = new Rng(42);
    const noise = rng.fork('latents').fillNormal(new Float32Array(1 * 4 * 8 * 8));
    const latents = new Tensor('float32', noise, [1, 4, 8, 8]);

    // Views share data: no copy.
    const flat = latents.reshape([1, -1]); // shape [1, 256]

    // Exact float16 conversion (round to nearest even) for fp16 models, and back.
    const half = new Tensor('float16', toFloat16Array(latents.data), latents.shape);
    const widened = toFloat32Array(half.data);

    // onnxruntime-node tensors over the same buffer.
    const feed = toOrtTensor(half); // ort.Tensor of type 'float16'
    const back = fromOrtTensor(feed); // a Tensor viewing feed.data

    // C⁻¹·b for a symmetric positive-definite C, factored once and reusable.
    const c = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    const solver = new SpdSolver(c, 3, { relativeRidge: 0 });
    const x = solver.solve(Float64Array.from([-68, -191, 364])); // ≈ [1, -2, 3]
    // example:end

    expect(flat.shape).toEqual([1, 256]);
    expect(flat.data).toBe(latents.data);
    expect(Array.from(noise)).toEqual(Array.from(new Rng(42).fork('latents').fillNormal(new Float32Array(256))));
    for (let i = 0; i < noise.length; i++) {
      // float16 keeps 11 significant bits: relative error at most 2^-11 (normal range).
      expect(Math.abs(widened[i]! - noise[i]!)).toBeLessThanOrEqual(Math.abs(noise[i]!) * 2 ** -11 + 2 ** -25);
    }
    expect(feed.type).toBe('float16');
    expect(back.data.buffer).toBe(half.data.buffer);
    expect(Array.from(x).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, -2, 3]);
  });
});
