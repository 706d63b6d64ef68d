import { readFileSync } from 'node:fs';

/**
 * The numbers in golden/schedulers.json, computed by golden/schedulers_reference.py: an independent
 * numpy (+ torch for the float32 training tables) implementation of diffusers' DDIM, PNDM, Euler and
 * Euler-ancestral algorithms. Its header records the command, versions and date.
 */
export interface SchedulersGolden {
  readonly _header: Record<string, unknown> & { numpy_float32_log_not_correctly_rounded: number };
  readonly sd15_config: Record<string, unknown>;
  readonly tables: Record<'scaled_linear_sd15' | 'linear_default' | 'squaredcos_cap_v2', { betas: number[]; alphas_cumprod: number[] }>;
  readonly schedules: Record<'10' | '25' | '50', GoldenSchedules>;
  readonly loop_inputs: { latents: number[]; noise: number[]; model: string };
  readonly loops: GoldenLoop[];
  readonly torch_linspace: { start: number; end: number; steps: number; values: number[] }[];
  readonly add_noise: { timestep_ddpm: number; ddpm: number[]; timestep_euler: number; euler: number[] };
}

export interface GoldenSigmaSchedule {
  timesteps: number[];
  sigmas: number[];
  init_noise_sigma: number;
}

export interface GoldenSchedules {
  ddim: number[];
  ddim_trailing: number[];
  ddim_linspace: number[];
  pndm: number[];
  pndm_prk: number[];
  pndm_trailing: number[];
  euler: GoldenSigmaSchedule;
  euler_karras: GoldenSigmaSchedule;
  euler_leading: GoldenSigmaSchedule;
  euler_trailing: GoldenSigmaSchedule;
  euler_a: GoldenSigmaSchedule;
}

export interface GoldenLoop {
  label: string;
  scheduler: 'ddim' | 'pndm' | 'euler' | 'euler-a';
  config_overrides: Record<string, unknown>;
  steps: number;
  final_float32: number[];
  /** max |float32 run − float64 run| / max |float64 run| of the reference itself. */
  float32_vs_float64: number;
}

export const golden: SchedulersGolden = JSON.parse(readFileSync(new URL('./golden/schedulers.json', import.meta.url), 'utf8'));

/** max_i |actual_i − expected_i| / max_i |expected_i|: one relative error for a whole sample. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}
