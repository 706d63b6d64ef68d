import { describe, expect, it } from 'vitest';
import {
  DdimScheduler,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  PndmScheduler,
  SD15_SCHEDULER_CONFIG,
  parseSchedulerConfig,
  type NoiseSource,
  type Scheduler,
} from '@perfusion/scheduler';
import { golden, relativeError, type GoldenLoop } from './schedulers-golden.js';

// Each loop of golden/schedulers.json runs 10 steps of one scheduler on SD-1.5's config (with the
// listed overrides) and the dummy model eps(x, t) = float32(0.1·x + 1e-5·t), from the same float32
// latents and, for the stochastic samplers, the same normal numbers; the reference's final sample
// comes from its float32 run, which rounds every operation to float32 as diffusers' torch code does.
//
// Tolerance: 2e-6 of the sample's largest magnitude. The reference's own float32 and float64 runs
// differ by up to ~4e-7 (recorded per loop and checked below): float32 rounding alone moves a
// result that much, so two correct float32 implementations can disagree by about as much. Ours
// computes each step in float64 and rounds only what it stores to float32; measured against the
// float32 reference it is off by 0.6e-7 to 3.5e-7 (measured with this golden), so 2e-6 leaves a margin of ~6×
// while a wrong coefficient, timestep or warm-up rule moves the result by far more (last test).
const TOLERANCE = 2e-6;

/** Hands out golden noise numbers in order, like a generator continuing its stream. */
class ArrayNoise implements NoiseSource {
  used = 0;
  constructor(private readonly values: readonly number[]) {}
  fillNormal(out: Float32Array): Float32Array {
    if (this.used + out.length > this.values.length) throw new Error('golden noise exhausted');
    for (let i = 0; i < out.length; i++) out[i] = this.values[this.used++]!;
    return out;
  }
}

function dummyModel(x: Float32Array, t: number): Float32Array {
  return x.map((v) => 0.1 * v + 1e-5 * t);
}

function build(loop: GoldenLoop): Scheduler {
  const config = parseSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, ...loop.config_overrides });
  switch (loop.scheduler) {
    case 'ddim':
      return new DdimScheduler(config, { eta: loop.label.includes('eta=1') ? 1 : 0 });
    case 'pndm':
      return new PndmScheduler(config);
    case 'euler':
      return new EulerDiscreteScheduler(config);
    case 'euler-a':
      return new EulerAncestralDiscreteScheduler(config);
  }
}

function denoise(scheduler: Scheduler, steps: number, noise: NoiseSource): Float32Array {
  scheduler.setTimesteps(steps);
  let x: Float32Array = Float32Array.from(golden.loop_inputs.latents, (v) => v * scheduler.initNoiseSigma);
  for (const t of scheduler.timesteps) {
    const output = dummyModel(scheduler.scaleModelInput(x, t), t);
    x = scheduler.step(output, t, x, noise).prevSample;
  }
  return x;
}

describe('denoising loops against the numpy reference', () => {
  it('covers every scheduler and prediction type this package implements', () => {
    expect(golden.loops.map((l) => l.label)).toEqual(
      expect.arrayContaining(['ddim epsilon', 'ddim v_prediction', 'ddim sample', 'pndm epsilon', 'pndm v_prediction', 'euler epsilon', 'euler v_prediction', 'euler-a epsilon', 'euler-a v_prediction']),
    );
  });

  for (const loop of golden.loops) {
    it(`${loop.label}: final sample within ${TOLERANCE} relative`, () => {
      // The premise of the tolerance: float32 rounding alone moves the reference by far less.
      expect(loop.float32_vs_float64).toBeLessThan(1e-6);
      const noise = new ArrayNoise(golden.loop_inputs.noise);
      const final = denoise(build(loop), loop.steps, noise);
      expect(relativeError(final, loop.final_float32)).toBeLessThan(TOLERANCE);
      // Stochastic samplers draw one number per element per step, the last step included.
      const stochastic = loop.scheduler === 'euler-a' || loop.label.includes('eta=1');
      expect(noise.used).toBe(stochastic ? loop.steps * final.length : 0);
    });
  }

  it('tells apart results that differ only in a warm-up rule (the tolerance is not too loose)', () => {
    const pndm = golden.loops.find((l) => l.label === 'pndm epsilon')!;
    const prk = golden.loops.find((l) => l.label === 'pndm epsilon prk')!;
    expect(relativeError(pndm.final_float32, prk.final_float32)).toBeGreaterThan(100 * TOLERANCE);
  });
});
