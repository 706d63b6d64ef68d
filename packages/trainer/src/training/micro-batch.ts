import type { Rng } from '@perfusion/tensor-core';
import type { TrainingNoiseSchedule } from './noise-schedule.js';

/** One training example: which image (and flip), which prompt template, which timestep, and its noise. */
export interface TrainingDraw {
  readonly image: number;
  readonly flipped: boolean;
  readonly template: number;
  readonly timestep: number;
  readonly noise: Float32Array;
}

/**
 * The examples of one step, drawn from the step's own random stream (`rng` = the run's stream
 * forked by step number), so step k draws the same examples whether or not the run was resumed.
 * When the model takes one timestep for the whole batch, each micro-batch shares its first draw's.
 */
export function drawExamples(
  rng: Rng,
  count: number,
  options: { images: number; templates: number; flips: boolean; latentSize: number; schedule: TrainingNoiseSchedule; sharedTimestepEvery?: number },
): TrainingDraw[] {
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng.uniform() * n));
  const draws: TrainingDraw[] = [];
  for (let i = 0; i < count; i++) {
    const image = pick(options.images);
    const flipped = options.flips ? rng.uniform() < 0.5 : false;
    const template = pick(options.templates);
    const ownTimestep = pick(options.schedule.length);
    const every = options.sharedTimestepEvery;
    const timestep = every !== undefined && i % every !== 0 ? draws[i - (i % every)]!.timestep : ownTimestep;
    const noise = rng.fillNormal(new Float32Array(options.latentSize));
    draws.push({ image, flipped, template, timestep, noise });
  }
  return draws;
}
