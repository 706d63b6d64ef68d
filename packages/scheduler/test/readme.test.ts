import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
import { Rng } from '@perfusion/tensor-core';
import { SCHEDULER_NAMES, SD15_SCHEDULER_CONFIG, createScheduler, parseSchedulerConfig } from '@perfusion/scheduler';

// The README's example is the code between the example markers below, preceded by the two import
// lines above; the first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', () => {
    // example:start
    // SD-1.5's scheduler_config.json; for a model folder: await loadSchedulerConfig('…/scheduler/scheduler_config.json').
    const config = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);

    // A stand-in for the UNet: predicts the noise in (scaled) latents at timestep t.
    const unet = (latents: Float32Array, t: number) => latents.map((v) => 0.1 * v + 1e-5 * t);

    const results = new Map<string, Float32Array>();
    for (const name of SCHEDULER_NAMES) {
      // 'ddim', 'pndm', 'euler', 'euler-a', 'dpm++2m', 'dpm++2m-karras', 'lms'
      const scheduler = createScheduler(name, config);
      scheduler.setTimesteps(20);
      const rng = new Rng(42); // the initial latents, then the ancestral samplers' fresh noise
      let latents: Float32Array = rng.fillNormal(new Float32Array(4 * 8 * 8)).map((v) => v * scheduler.initNoiseSigma);
      for (const t of scheduler.timesteps) {
        const noisePrediction = unet(scheduler.scaleModelInput(latents, t), t);
        latents = scheduler.step(noisePrediction, t, latents, rng).prevSample;
      }
      results.set(name, latents);
    }
    // example:end

    expect([...results.keys()]).toEqual([...SCHEDULER_NAMES]);
    for (const [name, latents] of results) {
      expect(latents, name).toHaveLength(256);
      expect(latents.every(Number.isFinite), name).toBe(true);
    }
    // The same seed and scheduler give the same latents, the ancestral one included.
    for (const name of ['pndm', 'euler-a'] as const) {
      const again = createScheduler(name, config);
      again.setTimesteps(20);
      const rng = new Rng(42);
      let latents: Float32Array = rng.fillNormal(new Float32Array(256)).map((v) => v * again.initNoiseSigma);
      for (const t of again.timesteps) latents = again.step(unet(again.scaleModelInput(latents, t), t), t, latents, rng).prevSample;
      expect(Array.from(latents)).toEqual(Array.from(results.get(name)!));
    }
  });
});
