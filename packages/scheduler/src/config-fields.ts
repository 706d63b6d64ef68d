import { SchedulerConfigError } from './errors.js';
import type { SchedulerSettings } from './config.js';

/** How one `scheduler_config.json` key maps to a {@link SchedulerSettings} field and what it accepts. */
export interface ConfigField {
  readonly name: keyof SchedulerSettings;
  parse(value: unknown, key: string, source: string | undefined): unknown;
}

type Parser = ConfigField['parse'];

function oneOf<const T extends string>(values: readonly T[]): Parser {
  return (value, key, source) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value;
    throw new SchedulerConfigError(key, value, `one of ${values.map((v) => `"${v}"`).join(', ')}`, source);
  };
}

/** diffusers hands `null` to the class, where Python treats it as false; so do we. */
const flag: Parser = (value, key, source) => {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  throw new SchedulerConfigError(key, value, 'true or false', source);
};

function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser {
  return (value, key, source) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new SchedulerConfigError(key, value, range, source);
  };
}

/** A number in [min, max) or [min, max] (`closed`); non-finite values only where `allowInfinite`. */
function real(
  min: number,
  max: number,
  options: { closed?: boolean; allowInfinite?: boolean; description?: string } = {},
): Parser {
  return (value, key, source) => {
    const ok =
      typeof value === 'number' &&
      !Number.isNaN(value) &&
      (Number.isFinite(value) ? value >= min && (options.closed ? value <= max : value < max) : options.allowInfinite === true);
    if (ok) return value;
    const upper = max === Infinity ? '' : options.closed ? ` and <= ${max}` : ` and < ${max}`;
    const lower = min === Number.MIN_VALUE ? '> 0' : `>= ${min}`;
    throw new SchedulerConfigError(key, value, options.description ?? `a finite number ${lower}${upper}`, source);
  };
}

function nullable(parse: Parser): Parser {
  return (value, key, source) => (value === null ? null : parse(value, key, source));
}

const beta = real(0, 1);

const betaList: Parser = (value, key, source) => {
  if (value === null) return null;
  if (Array.isArray(value) && value.length > 0 && value.every((b) => typeof b === 'number' && b >= 0 && b < 1)) {
    return Object.freeze([...(value as number[])]);
  }
  throw new SchedulerConfigError(key, value, 'null or a non-empty array of numbers in [0, 1)', source);
};

function field(name: keyof SchedulerSettings, parse: Parser): ConfigField {
  return { name, parse };
}

/** Every key this package understands, by its snake_case name in `scheduler_config.json`. */
export const CONFIG_FIELDS: Readonly<Record<string, ConfigField>> = Object.freeze({
  num_train_timesteps: field('numTrainTimesteps', integer(1)),
  beta_start: field('betaStart', beta),
  beta_end: field('betaEnd', beta),
  beta_schedule: field('betaSchedule', oneOf(['linear', 'scaled_linear', 'squaredcos_cap_v2'])),
  trained_betas: field('trainedBetas', betaList),
  prediction_type: field('predictionType', oneOf(['epsilon', 'v_prediction', 'sample'])),
  timestep_spacing: field('timestepSpacing', oneOf(['leading', 'trailing', 'linspace'])),
  steps_offset: field('stepsOffset', integer(0)),
  rescale_betas_zero_snr: field('rescaleBetasZeroSnr', flag),
  set_alpha_to_one: field('setAlphaToOne', flag),
  clip_sample: field('clipSample', flag),
  clip_sample_range: field('clipSampleRange', real(Number.MIN_VALUE, Infinity)),
  skip_prk_steps: field('skipPrkSteps', flag),
  thresholding: field('thresholding', flag),
  dynamic_thresholding_ratio: field('dynamicThresholdingRatio', real(Number.MIN_VALUE, 1, { closed: true })),
  sample_max_value: field('sampleMaxValue', real(Number.MIN_VALUE, Infinity)),
  use_karras_sigmas: field('useKarrasSigmas', flag),
  use_exponential_sigmas: field('useExponentialSigmas', flag),
  use_beta_sigmas: field('useBetaSigmas', flag),
  interpolation_type: field('interpolationType', oneOf(['linear', 'log_linear'])),
  timestep_type: field('timestepType', oneOf(['discrete', 'continuous'])),
  sigma_min: field('sigmaMin', nullable(real(Number.MIN_VALUE, Infinity))),
  sigma_max: field('sigmaMax', nullable(real(Number.MIN_VALUE, Infinity))),
  final_sigmas_type: field('finalSigmasType', oneOf(['zero', 'sigma_min'])),
  solver_order: field('solverOrder', integer(1, 3)),
  algorithm_type: field('algorithmType', oneOf(['dpmsolver', 'dpmsolver++', 'sde-dpmsolver', 'sde-dpmsolver++', 'deis'])),
  solver_type: field('solverType', oneOf(['midpoint', 'heun', 'logrho', 'bh1', 'bh2'])),
  lower_order_final: field('lowerOrderFinal', flag),
  euler_at_final: field('eulerAtFinal', flag),
  use_lu_lambdas: field('useLuLambdas', flag),
  lambda_min_clipped: field(
    'lambdaMinClipped',
    real(-Infinity, Infinity, { allowInfinite: true, description: "a number (diffusers' default -Infinity disables the clip)" }),
  ),
  variance_type: field('varianceType', nullable(oneOf(['learned', 'learned_range']))),
});
