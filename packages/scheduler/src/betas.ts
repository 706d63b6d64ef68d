import { SchedulerConfigError } from './errors.js';
import type { SchedulerSettings } from './config.js';
import { torchLinspaceFloat32 } from './torch-linspace.js';

/** The settings that determine the training noise schedule. */
export type BetaSettings = Pick<SchedulerSettings, 'numTrainTimesteps' | 'betaStart' | 'betaEnd' | 'betaSchedule' | 'trainedBetas'>;

/** The largest beta of the cosine schedule: capping keeps ᾱ away from 0 at the end. */
const MAX_COSINE_BETA = 0.999;

/**
 * β_t for t = 0 … num_train_timesteps-1, in float32 exactly as diffusers builds them with torch:
 * `linear` = linspace(β_start, β_end), `scaled_linear` = linspace(√β_start, √β_end)² (the schedule
 * Stable Diffusion was trained with), `squaredcos_cap_v2` = the cosine schedule of Nichol & Dhariwal
 * (β_t = 1 − ᾱ(t+1)/ᾱ(t) with ᾱ(s) = cos²((s/N + 0.008)/1.008 · π/2), capped at 0.999, computed in
 * float64 and then rounded). `trained_betas`, when given, replaces all of them.
 *
 * @throws {SchedulerConfigError} when trained_betas does not hold num_train_timesteps values.
 */
export function computeBetas(settings: BetaSettings): Float32Array {
  const n = settings.numTrainTimesteps;
  if (settings.trainedBetas !== null) {
    if (settings.trainedBetas.length !== n) {
      throw new SchedulerConfigError('trained_betas', settings.trainedBetas, `an array of num_train_timesteps (${n}) betas`);
    }
    return Float32Array.from(settings.trainedBetas);
  }
  switch (settings.betaSchedule) {
    case 'linear':
      return torchLinspaceFloat32(settings.betaStart, settings.betaEnd, n);
    case 'scaled_linear': {
      const roots = torchLinspaceFloat32(Math.sqrt(settings.betaStart), Math.sqrt(settings.betaEnd), n);
      return roots.map((r) => r * r);
    }
    case 'squaredcos_cap_v2':
      return cosineBetas(n);
  }
}

function cosineBetas(n: number): Float32Array {
  const alphaBar = (s: number): number => Math.cos((((s + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const betas = new Float32Array(n);
  for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), MAX_COSINE_BETA);
  return betas;
}
