import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSchedulerConfig, type SchedulerConfig } from '../src/config.js';
import { SchedulerStateError, UnsupportedSchedulerOptionError } from '../src/errors.js';
import { lmsCoefficients } from '../src/lms-coefficients.js';
import { LmsDiscreteScheduler } from '../src/lms-discrete.js';
import { SD15_SCHEDULER_CONFIG } from '../src/sd15.js';

/**
 * Golden values: test/golden/lms_reference.json, written by test/golden/lms_reference.py
 * (`/usr/bin/python3 packages/scheduler/test/golden/lms_reference.py`, numpy 1.24). That script is an
 * independent numpy implementation of diffusers' LMSDiscreteScheduler (0.40.0.dev0): it integrates
 * the Lagrange basis polynomials exactly with numpy.polynomial (diffusers: scipy quad; here:
 * Gauss–Legendre) and does the per-step arithmetic in float32 as diffusers does in torch. It shares
 * no code with the TypeScript; its header lists every modelling choice.
 */
interface LmsGolden {
  readonly config: Record<string, unknown>;
  readonly initialNoise: number[];
  readonly schedules: ReadonlyArray<{
    readonly steps: number;
    readonly useKarrasSigmas: boolean;
    readonly timesteps: number[];
    readonly sigmas: number[];
    readonly initNoiseSigma: number;
  }>;
  readonly loops: ReadonlyArray<{
    readonly steps: number;
    readonly useKarrasSigmas: boolean;
    readonly predictionType: 'epsilon' | 'v_prediction';
    readonly finalSample: number[];
  }>;
}

const golden = JSON.parse(readFileSync(new URL('./golden/lms_reference.json', import.meta.url), 'utf8')) as LmsGolden;

function sd15With(overrides: Record<string, unknown> = {}): SchedulerConfig {
  return parseSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, ...overrides });
}

/** The reference's dummy model, eps(x, t) = 0.1·x + 0.01·t/1000, with its float32 roundings. */
function dummyModel(x: Float32Array, t: number): Float32Array {
  const bias = Math.fround((0.01 * t) / 1000);
  return x.map((v) => Math.fround(Math.fround(0.1) * v) + bias);
}

/** max |actual − expected| / max |expected|. */
function normwiseError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, e === 0 ? Math.abs(actual[i]!) : Math.abs(actual[i]! / e - 1));
  }
  return worst;
}

function maxAbsoluteError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('LmsDiscreteScheduler schedules for SD-1.5 (golden: numpy reference)', () => {
  it('uses the SD-1.5 config the reference used', () => {
    expect(golden.config).toEqual(SD15_SCHEDULER_CONFIG);
  });

  for (const g of golden.schedules) {
    it(`timesteps, sigmas and initial noise sigma at ${g.steps} steps${g.useKarrasSigmas ? ', Karras' : ''}`, () => {
      const scheduler = new LmsDiscreteScheduler(sd15With({ use_karras_sigmas: g.useKarrasSigmas }));
      scheduler.setTimesteps(g.steps);
      if (g.useKarrasSigmas) {
        // Fractional float32 timesteps found by log-σ interpolation: they differ by one float32 ulp
        // at most (measured 6.1e-5 near t = 999, where the float32 spacing is 6.1e-5) through the
        // last bits of the log-σ table; 1e-3 is a small fraction of one training step.
        expect(maxAbsoluteError(scheduler.timesteps, g.timesteps)).toBeLessThan(1e-3);
      } else {
        expect(scheduler.timesteps).toEqual(g.timesteps);
      }
      // float32 values of the same formulas; the last bit of a beta depends on the torch version's
      // linspace fill (reference: torch >= 2.0, package: torch 1.13's), which moves these sigmas by at
      // most 2.2e-7 relative (measured; bit-identical with torch 1.13's betas), hence 1e-6.
      expect(maxRelativeError(scheduler.sigmas, g.sigmas)).toBeLessThan(1e-6);
      expect(Math.abs(scheduler.initNoiseSigma / g.initNoiseSigma - 1)).toBeLessThan(1e-6);
    });
  }
});

describe('LmsDiscreteScheduler denoising loop (golden: numpy reference)', () => {
  for (const g of golden.loops) {
    it(`final sample at ${g.steps} steps, ${g.useKarrasSigmas ? 'Karras' : 'linspace'}, ${g.predictionType}`, () => {
      const config = sd15With({ use_karras_sigmas: g.useKarrasSigmas, prediction_type: g.predictionType });
      const scheduler = new LmsDiscreteScheduler(config);
      scheduler.setTimesteps(g.steps);
      let x: Float32Array = Float32Array.from(golden.initialNoise, (v) => v * scheduler.initNoiseSigma);
      for (const t of scheduler.timesteps) {
        const output = dummyModel(scheduler.scaleModelInput(x, t), t);
        x = scheduler.step(output, t, x).prevSample;
      }
      // The reference rounds each c_j·d_j product and partial sum to float32 like diffusers' torch
      // code; here the update is summed in float64 and stored as float32, so each step differs by a
      // few float32 ulps (~1e-7 relative), plus the sigmas' last bits (above). Measured <= 1.8e-6
      // over these loops; 1e-5 leaves margin yet is sharp: running order 3 instead of 4 moves every
      // loop by 1.1e-4 or more (tried).
      expect(normwiseError(x, g.finalSample)).toBeLessThan(1e-5);
    });
  }
});

describe('lmsCoefficients (Gauss–Legendre integration of the Lagrange basis)', () => {
  const sigmas = [14.6, 9.7, 6.1, 3.9, 2.2, 0];

  it('integrates the basis exactly: the weights sum to σ_next − σ_now, a partition of unity', () => {
    const out = new Float64Array(4);
    for (let index = 0; index < 5; index++) {
      const order = Math.min(index + 1, 4);
      lmsCoefficients(sigmas, index, order, out);
      const sum = out.subarray(0, order).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(sigmas[index + 1]! - sigmas[index]!, 12);
    }
  });

  it('is exact for cubic derivatives at order 4: Σ c_j·σ_j³ = (b⁴ − a⁴)/4', () => {
    const out = new Float64Array(4);
    const index = 4;
    lmsCoefficients(sigmas, index, 4, out);
    let combined = 0;
    for (let j = 0; j < 4; j++) combined += out[j]! * sigmas[index - j]! ** 3;
    const a = sigmas[index]!;
    const b = sigmas[index + 1]!;
    expect(combined).toBeCloseTo((b ** 4 - a ** 4) / 4, 10);
  });
});

describe('LmsDiscreteScheduler behaviour', () => {
  it('reads SD-1.5 with the LMS class defaults for missing keys', () => {
    const scheduler = new LmsDiscreteScheduler(sd15With());
    expect(scheduler.settings.timestepSpacing).toBe('linspace');
    expect(scheduler.settings.useKarrasSigmas).toBe(false);
    expect(scheduler.name).toBe('lms');
  });

  it('scales the model input by 1/sqrt(σ² + 1)', () => {
    const scheduler = new LmsDiscreteScheduler(sd15With());
    scheduler.setTimesteps(10);
    const sigma = scheduler.sigmas[0]!;
    const scaled = scheduler.scaleModelInput(Float32Array.of(2, -4), scheduler.timesteps[0]!);
    expect(scaled[0]).toBeCloseTo(2 / Math.sqrt(sigma * sigma + 1), 6);
    expect(scaled[1]).toBeCloseTo(-4 / Math.sqrt(sigma * sigma + 1), 6);
  });

  it('takes a first step that is Euler’s: x + (σ₁ − σ₀)·ε', () => {
    const scheduler = new LmsDiscreteScheduler(sd15With());
    scheduler.setTimesteps(10);
    const [s0, s1] = scheduler.sigmas;
    const x = Float32Array.of(3, -1);
    const eps = Float32Array.of(0.5, 0.25);
    const { prevSample } = scheduler.step(eps, scheduler.timesteps[0]!, x);
    expect(prevSample[0]).toBeCloseTo(3 + (s1! - s0!) * 0.5, 5);
    expect(prevSample[1]).toBeCloseTo(-1 + (s1! - s0!) * 0.25, 5);
  });

  it('refuses options it does not implement, naming the key', () => {
    expect(() => new LmsDiscreteScheduler(sd15With({ use_beta_sigmas: true }))).toThrow(UnsupportedSchedulerOptionError);
    expect(() => new LmsDiscreteScheduler(sd15With({ use_exponential_sigmas: true }))).toThrow(/"use_exponential_sigmas"/);
  });

  it('reports misuse with typed errors', () => {
    const scheduler = new LmsDiscreteScheduler(sd15With());
    const x = new Float32Array(4);
    expect(() => scheduler.step(x, 999, x)).toThrow(SchedulerStateError);
    scheduler.setTimesteps(3);
    for (const t of scheduler.timesteps) scheduler.step(x, t, x);
    expect(() => scheduler.step(x, 999, x)).toThrow(/steps of the schedule are done/);
  });
});
