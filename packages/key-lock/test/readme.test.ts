import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
import { Rng } from '@perfusion/tensor-core';
import { CovarianceAccumulator, CovarianceInverse, builtInCaptions, coefficients, conceptDirection, editedProjection, keyRows, valueRows } from '@perfusion/key-lock';

// The README's example is the code between the example markers below, preceded by the two import
// lines above; the first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', () => {
    // example:start
    const d = 8; // text-encoding width (768 for SD 1.5)
    const width = 4; // one cross-attention layer's K/V width (320, 640 or 1280 for SD 1.5)
    const rng = new Rng(0);

    // 1. C from the text encodings of a caption corpus. Here random stand-ins; for a real model,
    //    encode builtInCaptions() and add each caption's rows from BOS to its first EOS.
    const captions = builtInCaptions(); // 5000 deterministic captions
    const accumulator = new CovarianceAccumulator(d);
    for (let i = 0; i < 500; i++) accumulator.add(rng.fillNormal(new Float32Array(d)));
    const cInv = CovarianceInverse.fromEstimate(accumulator.finalize()); // ridge: 1e-4 × mean diag

    // 2. A concept: i* (the encoding at its token), i_super (the supercategory word's), o*_V per layer.
    const iStar = rng.fillNormal(new Float32Array(d));
    const iSuper = rng.fillNormal(new Float32Array(d));
    const valueTarget = rng.fillNormal(new Float32Array(width));
    const concept = conceptDirection(iStar, cInv, '<my-cat>');

    // 3. Per layer: the rows [−i*·W ; o*], with the locked key o*_K = i_super·W_K. Weights are [d, width].
    const weightK = { data: rng.fillNormal(new Float32Array(d * width)), width, name: 'attn2/to_k' };
    const weightV = { data: rng.fillNormal(new Float32Array(d * width)), width, name: 'attn2/to_v' };
    const rowsK = keyRows(weightK, [concept], [iSuper]); // [2, width]
    const rowsV = valueRows(weightV, [concept], [valueTarget]); // [2, width]

    // 4. Per prompt: [sim | gate] for every token ([B, T, d] → [B, T, 2M]); β and τ are live knobs.
    const prompt = rng.fillNormal(new Float32Array(3 * d)); // 3 tokens…
    prompt.set(iStar, d); // …the second one is the concept token
    const coeffs = coefficients(prompt, [{ direction: concept, beta: 0.7, tau: 0.15 }]);

    // What the patched UNet computes: e·W + coeffs·rows for every token.
    const keys = editedProjection(prompt, weightK, coeffs, rowsK);
    const values = editedProjection(prompt, weightV, coeffs, rowsV);
    // At the concept token sim = 1 and gate = sigmoid((1 − 0.7) / 0.15) ≈ 0.88, so its key is
    // 0.88 × the supercategory's key i_super·W_K and its value 0.88 × o*_V.
    // example:end

    expect(captions.length).toBe(5000);
    expect(coeffs[2]).toBeCloseTo(1, 5);
    const g = coeffs[3]!;
    expect(g).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    for (let c = 0; c < width; c++) {
      let locked = 0;
      for (let i = 0; i < d; i++) locked += iSuper[i]! * weightK.data[i * width + c]!;
      expect(keys[width + c]).toBeCloseTo(g * locked, 4);
      expect(values[width + c]).toBeCloseTo(g * valueTarget[c]!, 4);
    }
  });
});
