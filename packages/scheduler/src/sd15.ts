/**
 * `scheduler/scheduler_config.json` of Stable Diffusion 1.5 (runwayml/stable-diffusion-v1-5), verbatim.
 * Parse it with `parseSchedulerConfig` to hand it to a scheduler. Keys it lacks (`timestep_spacing`,
 * `prediction_type`, ...) take the defaults of whichever scheduler class reads it, as in diffusers.
 */
export const SD15_SCHEDULER_CONFIG = Object.freeze({
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
} as const);
