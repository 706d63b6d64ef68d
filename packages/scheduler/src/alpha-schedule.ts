import { alphasCumprod } from './alphas.js';
import { computeBetas, type BetaSettings } from './betas.js';
import { SchedulerArgumentError } from './errors.js';
import { requireLength } from './sample-checks.js';

/**
 * The cumulative-alpha table ᾱ_t of DDPM-style schedulers (DDIM, PNDM), indexed by integer training
 * timestep, with the value that stands in for ᾱ_{-1} after the last step.
 */
export class AlphaSchedule {
  /** ᾱ_t for t = 0 … N−1, float32 as diffusers holds them. */
  readonly alphasCumprod: Float32Array;
  /** ᾱ used "before" timestep 0: 1 with set_alpha_to_one, else ᾱ_0 (SD-1.5 uses ᾱ_0). */
  readonly finalAlphaCumprod: number;

  constructor(settings: BetaSettings & { readonly setAlphaToOne: boolean }) {
    this.alphasCumprod = alphasCumprod(computeBetas(settings));
    this.finalAlphaCumprod = settings.setAlphaToOne ? 1 : this.alphasCumprod[0]!;
  }

  /** ᾱ_t; throws unless t is an integer training timestep. */
  at(timestep: number): number {
    const value = this.alphasCumprod[timestep];
    if (!Number.isInteger(timestep) || value === undefined) {
      throw new SchedulerArgumentError(
        'timestep',
        `got ${timestep}; it must be an integer training timestep from 0 to ${this.alphasCumprod.length - 1} ` +
          '(take it from scheduler.timesteps).',
      );
    }
    return value;
  }

  /** ᾱ at a previous timestep, which is negative after the last step. */
  atPrevious(timestep: number): number {
    return timestep >= 0 ? this.at(timestep) : this.finalAlphaCumprod;
  }

  /** q(x_t | x_0) = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε, with the two coefficients rounded to float32 as in diffusers. */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    requireLength('noise', noise, originalSamples.length);
    const alpha = this.at(timestep);
    const signal = Math.fround(Math.sqrt(alpha));
    const spread = Math.fround(Math.sqrt(Math.fround(1 - alpha)));
    const out = new Float32Array(originalSamples.length);
    for (let i = 0; i < out.length; i++) out[i] = signal * originalSamples[i]! + spread * noise[i]!;
    return out;
  }
}
