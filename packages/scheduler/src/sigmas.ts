import { numpyInterp, numpyLinspace } from './numpy-compat.js';

const f32 = Math.fround;

/**
 * σ_t = √((1 − ᾱ_t)/ᾱ_t) for every training timestep, in float32 as diffusers computes it from its
 * float32 ᾱ table: the noise level of x_t written as x_0 + σ·ε instead of √ᾱ·x_0 + √(1−ᾱ)·ε.
 */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => Math.sqrt(f32(f32(1 - a) / a)));
}

/**
 * σ at fractional training timesteps by linear interpolation of the float32 table, in float64
 * (`np.interp`), one value per timestep.
 */
export function interpolateSigmas(timesteps: readonly number[], sigmas: Float32Array): number[] {
  const knots = Array.from({ length: sigmas.length }, (_, i) => i);
  return timesteps.map((t) => numpyInterp(t, knots, sigmas));
}

/** The ρ of Karras et al. (2022), "Elucidating the design space of diffusion-based generative models". */
const KARRAS_RHO = 7;

/**
 * Karras et al.'s noise levels: n values from σ_max down to σ_min evenly spaced in σ^(1/ρ), ρ = 7,
 * computed in float64 like diffusers.
 */
export function karrasSigmas(sigmaMax: number, sigmaMin: number, n: number): number[] {
  const maxInvRho = sigmaMax ** (1 / KARRAS_RHO);
  const minInvRho = sigmaMin ** (1 / KARRAS_RHO);
  return numpyLinspace(0, 1, n).map((r) => (maxInvRho + r * (minInvRho - maxInvRho)) ** KARRAS_RHO);
}

/**
 * Natural logs of the float32 σ table as float32, correctly rounded. (NumPy's float32 `log`, which
 * diffusers uses, is off by an ulp for some entries depending on the CPU; see sigmaToTimestep.)
 */
export function logSigmas(sigmas: Float32Array): Float32Array {
  return sigmas.map((s) => Math.log(s));
}

/**
 * The (fractional) training timestep whose σ is `sigma`: linear interpolation in log σ between the
 * two neighbouring table entries, clamped to the table. Mirrors diffusers' `_sigma_to_t`, including
 * its float32 difference of the neighbours' logs; an ulp of difference in a table log moves the
 * result by at most about one float32 ulp of the timestep.
 */
export function sigmaToTimestep(sigma: number, logTable: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // Index of the last table entry at or below logSigma (the table increases with t), kept one below the end.
  let low = 0;
  for (let i = 0; i < logTable.length; i++) if (logSigma - logTable[i]! >= 0) low = i;
  low = Math.min(low, logTable.length - 2);
  const lowLog = logTable[low]!;
  const highLog = logTable[low + 1]!;
  const w = Math.min(1, Math.max(0, (lowLog - logSigma) / f32(lowLog - highLog)));
  return (1 - w) * low + w * (low + 1);
}
