export type { NoiseSource, Scheduler, StepResult } from './scheduler.js';
export {
  SchedulerError,
  SchedulerConfigError,
  UnsupportedSchedulerOptionError,
  UnknownSchedulerError,
  SchedulerStateError,
  SchedulerArgumentError,
} from './errors.js';
export {
  parseSchedulerConfig,
  configClassName,
  type SchedulerConfig,
  type SchedulerSettings,
  type BetaSchedule,
  type PredictionType,
  type TimestepSpacing,
  type AlgorithmType,
  type SolverType,
  type FinalSigmasType,
  type InterpolationType,
  type TimestepType,
  type VarianceType,
} from './config.js';
export { loadSchedulerConfig } from './config-file.js';
export { SD15_SCHEDULER_CONFIG } from './sd15.js';
export {
  resolveSettings,
  NOISE_SCHEDULE_DEFAULTS,
  DDIM_DEFAULTS,
  PNDM_DEFAULTS,
  EULER_DEFAULTS,
  EULER_ANCESTRAL_DEFAULTS,
  DPM_SOLVER_MULTISTEP_DEFAULTS,
  LMS_DEFAULTS,
  type SettingsOf,
  type DdimSettings,
  type PndmSettings,
  type EulerSettings,
  type EulerAncestralSettings,
  type DpmSolverMultistepSettings,
  type LmsSettings,
} from './defaults.js';
export { computeBetas, type BetaSettings } from './betas.js';
export { alphasCumprod } from './alphas.js';
export { spacedTimesteps, type SpacingOptions } from './timesteps.js';
export { trainingSigmas, karrasSigmas, sigmaToTimestep } from './sigmas.js';
export { DdimScheduler, type DdimOptions } from './ddim.js';
export { PndmScheduler } from './pndm.js';
export { EulerDiscreteScheduler, type EulerOverrides } from './euler-discrete.js';
export { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete.js';
export { DpmSolverMultistepScheduler, type DpmSolverMultistepOptions } from './dpm-solver-multistep.js';
export { LmsDiscreteScheduler } from './lms-discrete.js';
export {
  createScheduler,
  defaultSchedulerName,
  isSchedulerName,
  SCHEDULERS,
  SCHEDULER_NAMES,
  DIFFUSERS_CLASS_NAMES,
  type SchedulerFactory,
  type SchedulerName,
} from './registry.js';
