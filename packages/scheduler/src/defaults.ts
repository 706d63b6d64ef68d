import type { SchedulerConfig, SchedulerSettings } from './config.js';

/**
 * Fills every setting in `defaults` from the config where the file had the key, else from the
 * default. This is how diffusers treats a config: a key missing from the file takes the default of
 * the class that reads it, so the same file resolves differently for different schedulers.
 */
export function resolveSettings<K extends keyof SchedulerSettings>(
  config: SchedulerConfig,
  defaults: Readonly<Pick<SchedulerSettings, K>>,
): Readonly<Pick<SchedulerSettings, K>> {
  const resolved = { ...defaults } as Pick<SchedulerSettings, K>;
  for (const key of Object.keys(defaults) as K[]) {
    const given = config[key];
    if (given !== undefined) resolved[key] = given as SchedulerSettings[K];
  }
  return Object.freeze(resolved);
}

/** Settings every diffusers noise scheduler shares, with the defaults all of their classes agree on (also the training noise schedule's). */
export const NOISE_SCHEDULE_DEFAULTS = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  trainedBetas: null,
  predictionType: 'epsilon',
  stepsOffset: 0,
} as const satisfies Partial<SchedulerSettings>;

// Each table below is the keyword defaults of the diffusers class's __init__ (diffusers main,
// src/diffusers/schedulers/scheduling_*.py), restricted to the settings this package reads.

/** `DDIMScheduler`. */
export const DDIM_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  clipSample: true,
  clipSampleRange: 1,
  setAlphaToOne: true,
  timestepSpacing: 'leading',
  thresholding: false,
  rescaleBetasZeroSnr: false,
} as const satisfies Partial<SchedulerSettings>;

/** `PNDMScheduler`. */
export const PNDM_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  skipPrkSteps: false,
  setAlphaToOne: false,
  timestepSpacing: 'leading',
} as const satisfies Partial<SchedulerSettings>;

/** `EulerDiscreteScheduler`. */
export const EULER_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  interpolationType: 'linear',
  useKarrasSigmas: false,
  useExponentialSigmas: false,
  useBetaSigmas: false,
  sigmaMin: null,
  sigmaMax: null,
  timestepSpacing: 'linspace',
  timestepType: 'discrete',
  rescaleBetasZeroSnr: false,
  finalSigmasType: 'zero',
} as const satisfies Partial<SchedulerSettings>;

/** `EulerAncestralDiscreteScheduler` (it has no Karras option: `use_karras_sigmas` is ignored, as in diffusers). */
export const EULER_ANCESTRAL_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  timestepSpacing: 'linspace',
  rescaleBetasZeroSnr: false,
} as const satisfies Partial<SchedulerSettings>;

/** `DPMSolverMultistepScheduler`. */
export const DPM_SOLVER_MULTISTEP_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  solverOrder: 2,
  thresholding: false,
  dynamicThresholdingRatio: 0.995,
  sampleMaxValue: 1,
  algorithmType: 'dpmsolver++',
  solverType: 'midpoint',
  lowerOrderFinal: true,
  eulerAtFinal: false,
  useKarrasSigmas: false,
  useExponentialSigmas: false,
  useBetaSigmas: false,
  useLuLambdas: false,
  finalSigmasType: 'zero',
  lambdaMinClipped: -Infinity,
  varianceType: null,
  timestepSpacing: 'linspace',
  rescaleBetasZeroSnr: false,
} as const satisfies Partial<SchedulerSettings>;

/** `LMSDiscreteScheduler`. */
export const LMS_DEFAULTS = {
  ...NOISE_SCHEDULE_DEFAULTS,
  useKarrasSigmas: false,
  useExponentialSigmas: false,
  useBetaSigmas: false,
  timestepSpacing: 'linspace',
} as const satisfies Partial<SchedulerSettings>;

/** The resolved settings of a scheduler whose diffusers defaults are `D`. */
export type SettingsOf<D> = Readonly<Pick<SchedulerSettings, keyof D & keyof SchedulerSettings>>;
export type DdimSettings = SettingsOf<typeof DDIM_DEFAULTS>;
export type PndmSettings = SettingsOf<typeof PNDM_DEFAULTS>;
export type EulerSettings = SettingsOf<typeof EULER_DEFAULTS>;
export type EulerAncestralSettings = SettingsOf<typeof EULER_ANCESTRAL_DEFAULTS>;
export type DpmSolverMultistepSettings = SettingsOf<typeof DPM_SOLVER_MULTISTEP_DEFAULTS>;
export type LmsSettings = SettingsOf<typeof LMS_DEFAULTS>;
