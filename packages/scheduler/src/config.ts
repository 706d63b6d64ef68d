import { SchedulerConfigError } from './errors.js';
import { CONFIG_FIELDS } from './config-fields.js';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
/** `deis` is accepted because diffusers' DPM-Solver maps it to `dpmsolver++` (configs are shared between classes). */
export type AlgorithmType = 'dpmsolver' | 'dpmsolver++' | 'sde-dpmsolver' | 'sde-dpmsolver++' | 'deis';
/** `logrho`, `bh1` and `bh2` are accepted because diffusers' DPM-Solver maps them to `midpoint`. */
export type SolverType = 'midpoint' | 'heun' | 'logrho' | 'bh1' | 'bh2';
export type FinalSigmasType = 'zero' | 'sigma_min';
export type InterpolationType = 'linear' | 'log_linear';
export type TimestepType = 'discrete' | 'continuous';
export type VarianceType = 'learned' | 'learned_range';

/**
 * Every setting a scheduler can read from diffusers' `scheduler_config.json`, camel-cased
 * (`beta_start` → `betaStart`). A resolved scheduler holds the subset it uses, each filled either
 * from the file or from that scheduler class's diffusers default (see `defaults.ts`).
 */
export interface SchedulerSettings {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  /** Explicit betas that replace the beta_start/beta_end/beta_schedule computation. */
  trainedBetas: readonly number[] | null;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  rescaleBetasZeroSnr: boolean;
  // DDIM / PNDM
  setAlphaToOne: boolean;
  clipSample: boolean;
  clipSampleRange: number;
  skipPrkSteps: boolean;
  thresholding: boolean;
  dynamicThresholdingRatio: number;
  sampleMaxValue: number;
  // Sigma-based schedulers (Euler, LMS, DPM-Solver)
  useKarrasSigmas: boolean;
  useExponentialSigmas: boolean;
  useBetaSigmas: boolean;
  interpolationType: InterpolationType;
  timestepType: TimestepType;
  sigmaMin: number | null;
  sigmaMax: number | null;
  finalSigmasType: FinalSigmasType;
  // DPM-Solver
  solverOrder: number;
  algorithmType: AlgorithmType;
  solverType: SolverType;
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  useLuLambdas: boolean;
  /** May be -Infinity (diffusers' default), which diffusers writes into JSON as the bare token `-Infinity`. */
  lambdaMinClipped: number;
  varianceType: VarianceType | null;
}

/**
 * What a `scheduler_config.json` said, and nothing more: a setting is `undefined` when the file does
 * not have its key, because the value that applies then depends on which scheduler class reads the
 * config (diffusers' DDIM and PNDM default `timestep_spacing` to `leading`, Euler to `linspace`, ...).
 * Keys this package does not know — `_class_name`, `_diffusers_version`, options of other
 * schedulers — are kept verbatim in `extra` and otherwise ignored.
 */
export interface SchedulerConfig extends Readonly<Partial<SchedulerSettings>> {
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * Validates a parsed `scheduler_config.json` object and returns what it says. `source` (e.g. the
 * file path) only goes into error messages.
 *
 * @throws {SchedulerConfigError} when the input is not an object, or a known key holds a value
 *   diffusers would reject; the error names the key, the value and what it accepts.
 */
export function parseSchedulerConfig(json: unknown, source?: string): SchedulerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SchedulerConfigError('(root)', json, 'a JSON object of scheduler settings', source);
  }
  const settings: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = CONFIG_FIELDS[key];
    if (field === undefined) extra[key] = value;
    else settings[field.name] = field.parse(value, key, source);
  }
  return { ...(settings as Partial<SchedulerSettings>), extra };
}

/** The diffusers class named by the config's `_class_name` (e.g. `PNDMScheduler`), if any. */
export function configClassName(config: SchedulerConfig): string | undefined {
  const name = config.extra['_class_name'];
  return typeof name === 'string' ? name : undefined;
}
