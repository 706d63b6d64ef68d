// imports:start
import * as path from 'node:path';
import { ensureFixture } from '@perfusion/fixtures';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { baseModelFingerprint, patchUnetForPerfusion, perfusionFeeds, readProjectionWeights, UNet } from '@perfusion/unet';
// imports:end
import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';

// The README's surgery example is the import block above followed by the code between the
// example markers below; the first test checks the README shows exactly that, the second runs it.

describe('README surgery example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url), 'surgery-example')).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', async () => {
    // example:start
    // Patch once into <unet folder>/.perfusion-cache/<fingerprint>/ (weights hard-linked, not
    // copied; `cacheDir` picks another folder on the same file system); later calls reuse it.
    const dir = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
    const patched = await patchUnetForPerfusion(path.join(dir, 'unet', 'model.onnx'));
    const { layers } = patched; // { key, k, v, width, dim } per cross-attention layer: 4 here, 16 in SD 1.5

    // What @perfusion/key-lock needs from the model: every W_K and W_V ([dim, width], float32)…
    const weights = await readProjectionWeights(patched.modelPath, layers);
    // …and the base model's identity, stored in concept files.
    const fingerprint = baseModelFingerprint(layers, weights); // 'unet-v1-L4-d32-W160-…'

    // One concept (M = 1). Per layer, K and V rows [−(i*·W) ; o*] ([2M, width]: key-lock's
    // keyRows / valueRows); per hidden-state row and token, [S | G] ([rows, 77, 2M]: key-lock's
    // coefficients). Stand-ins here: random rows, and sim 1, gate 0.9 at token 5 of the
    // conditional prompt (row 1; row 0 is the unconditional prompt).
    const rng = new Rng(0);
    const layerRows = new Map(layers.map((l) => [l.key, { k: rng.fillNormal(new Float32Array(2 * l.width)), v: rng.fillNormal(new Float32Array(2 * l.width)) }]));
    const coefficients = new Tensor('float32', new Float32Array(2 * 77 * 2), [2, 77, 2]);
    coefficients.data.set([1, 0.9], (77 + 5) * 2);

    // The patched model runs like any UNet, with the Perfusion inputs as extra feeds.
    const unet = await UNet.create(patched.modelPath);
    const sample = new Tensor('float32', rng.fillNormal(new Float32Array(4 * 8 * 8)), [1, 4, 8, 8]);
    const states = new Tensor('float32', rng.fillNormal(new Float32Array(2 * 77 * 32)), [2, 77, 32]);
    const extraFeeds = perfusionFeeds(patched, { coefficients, layerRows }); // once per generation
    const noise = await unet.predictNoise({ sample, timestep: 999, encoderHiddenStates: states, guidanceScale: 7.5, extraFeeds });
    await unet.release();
    // example:end

    expect(layers).toHaveLength(4);
    expect(weights.map((w) => w.k.data.length)).toEqual([32 * 32, 32 * 64, 32 * 32, 32 * 32]);
    expect(fingerprint).toMatch(/^unet-v1-L4-d32-W160-[0-9a-f]{32}$/);
    expect(noise.shape).toEqual([1, 4, 8, 8]);
    expect(noise.data.every(Number.isFinite)).toBe(true);
    expect((await patchUnetForPerfusion(path.join(dir, 'unet', 'model.onnx'))).reused).toBe(true);
  });
});
