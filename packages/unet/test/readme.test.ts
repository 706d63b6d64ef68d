// imports:start
import * as path from 'node:path';
import { ensureFixture } from '@perfusion/fixtures';
import { Rng, Tensor } from '@perfusion/tensor-core';
import { UNet } from '@perfusion/unet';
// imports:end
import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';

// The README's example is the import block above followed by the code between the example
// markers below; the first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', async () => {
    // example:start
    // A model folder in the diffusers/optimum ONNX layout (here the test fixture, generated once).
    const dir = await ensureFixture('tiny', { dtype: 'float32', seed: 0 });
    const unet = await UNet.create(path.join(dir, 'unet', 'model.onnx'), {
      session: { intraOpNumThreads: 2, graphOptimizationLevel: 'all' },
      guidanceBatching: 'batched', // 'sequential': two calls of B rows, for tight memory
    });

    // One latent image (B = 1) and its text states: the unconditional row first, then the conditional one.
    const rng = new Rng(7);
    const [channels, width] = [unet.inChannels, unet.crossAttentionDim]; // 4 and 32, read from the model
    const sample = new Tensor('float32', rng.fillNormal(new Float32Array(channels * 8 * 8)), [1, channels, 8, 8]);
    const states = new Tensor('float32', rng.fillNormal(new Float32Array(2 * 77 * width)), [2, 77, width]);

    // uncond + 7.5·(cond − uncond), both halves computed in one model call of batch 2.
    const noise = await unet.predictNoise({ sample, timestep: 999, encoderHiddenStates: states, guidanceScale: 7.5 });
    const { calls, totalMs } = unet.session.stats; // calls === 1; totalMs: time inside onnxruntime
    await unet.release();
    // example:end

    expect([channels, width]).toEqual([4, 32]);
    expect(noise.dtype).toBe('float32');
    expect(noise.shape).toEqual([1, 4, 8, 8]);
    expect(noise.data.every(Number.isFinite)).toBe(true);
    expect(calls).toBe(1);
    expect(totalMs).toBeGreaterThan(0);
  });
});
