import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DDIM_DEFAULTS,
  DdimScheduler,
  EULER_DEFAULTS,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  PndmScheduler,
  SD15_SCHEDULER_CONFIG,
  SchedulerConfigError,
  configClassName,
  loadSchedulerConfig,
  parseSchedulerConfig,
  resolveSettings,
} from '@perfusion/scheduler';
import { golden } from './schedulers-golden.js';

describe('SD15_SCHEDULER_CONFIG', () => {
  it("is SD-1.5's scheduler_config.json (as written into the golden file by the Python reference)", () => {
    expect(SD15_SCHEDULER_CONFIG).toEqual(golden.sd15_config);
  });

  it('parses into what the file says, with _class_name and _diffusers_version kept in extra', () => {
    const config = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);
    expect(config).toEqual({
      betaEnd: 0.012,
      betaSchedule: 'scaled_linear',
      betaStart: 0.00085,
      numTrainTimesteps: 1000,
      setAlphaToOne: false,
      skipPrkSteps: true,
      stepsOffset: 1,
      trainedBetas: null,
      clipSample: false,
      extra: { _class_name: 'PNDMScheduler', _diffusers_version: '0.6.0' },
    });
    expect(config.timestepSpacing).toBeUndefined();
    expect(configClassName(config)).toBe('PNDMScheduler');
  });
});

describe('missing keys take the reading class\'s diffusers default', () => {
  const config = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);

  it("DDIM and PNDM resolve timestep_spacing 'leading', the Euler schedulers 'linspace'", () => {
    expect(new DdimScheduler(config).settings.timestepSpacing).toBe('leading');
    expect(new PndmScheduler(config).settings.timestepSpacing).toBe('leading');
    expect(new EulerDiscreteScheduler(config).settings.timestepSpacing).toBe('linspace');
    expect(new EulerAncestralDiscreteScheduler(config).settings.timestepSpacing).toBe('linspace');
  });

  it('the file wins over the default where it has the key, and only there', () => {
    const ddim = resolveSettings(config, DDIM_DEFAULTS);
    expect(ddim.clipSample).toBe(false); // file: false, DDIM default: true
    expect(ddim.setAlphaToOne).toBe(false); // file: false, DDIM default: true
    expect(ddim.predictionType).toBe('epsilon'); // not in the file
    expect(ddim.clipSampleRange).toBe(1);
    const euler = resolveSettings(parseSchedulerConfig({ timestep_spacing: 'trailing' }), EULER_DEFAULTS);
    expect(euler.timestepSpacing).toBe('trailing');
    expect(euler.betaSchedule).toBe('linear');
    expect(euler.useKarrasSigmas).toBe(false);
  });
});

describe('unknown keys', () => {
  it('are kept verbatim in extra and ignored', () => {
    const config = parseSchedulerConfig({ beta_start: 0.001, made_up_option: [1, 2], predict_epsilon: true, _class_name: 'DDIMScheduler' });
    expect(config.extra).toEqual({ made_up_option: [1, 2], predict_epsilon: true, _class_name: 'DDIMScheduler' });
    expect(config.betaStart).toBe(0.001);
    expect(() => new DdimScheduler(config)).not.toThrow();
  });
});

describe('invalid values', () => {
  const invalid: [string, unknown, string][] = [
    ['beta_schedule', 'cosine', '"linear", "scaled_linear", "squaredcos_cap_v2"'],
    ['prediction_type', 'eps', '"epsilon", "v_prediction", "sample"'],
    ['timestep_spacing', 'uniform', '"leading", "trailing", "linspace"'],
    ['num_train_timesteps', 0, 'an integer >= 1'],
    ['num_train_timesteps', 999.5, 'an integer >= 1'],
    ['steps_offset', -1, 'an integer >= 0'],
    ['beta_start', 1.5, 'a finite number >= 0 and < 1'],
    ['beta_end', '0.012', 'a finite number >= 0 and < 1'],
    ['set_alpha_to_one', 'yes', 'true or false'],
    ['clip_sample_range', 0, 'a finite number > 0'],
    ['trained_betas', [0.1, 'x'], 'null or a non-empty array of numbers in [0, 1)'],
    ['solver_order', 4, 'an integer from 1 to 3'],
    ['algorithm_type', 'unipc', '"dpmsolver", "dpmsolver++", "sde-dpmsolver", "sde-dpmsolver++", "deis"'],
    ['final_sigmas_type', 'none', '"zero", "sigma_min"'],
  ];
  for (const [key, value, accepted] of invalid) {
    it(`${key} = ${JSON.stringify(value)} throws SchedulerConfigError naming the key, the value and what is accepted`, () => {
      let error: unknown;
      try {
        parseSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, [key]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SchedulerConfigError);
      const configError = error as SchedulerConfigError;
      expect(configError.key).toBe(key);
      expect(configError.value).toEqual(value);
      expect(configError.message).toContain(`"${key}"`);
      expect(configError.message).toContain(accepted);
    });
  }

  it('rejects a root that is not an object', () => {
    expect(() => parseSchedulerConfig([1, 2])).toThrow(SchedulerConfigError);
    expect(() => parseSchedulerConfig(null)).toThrow(SchedulerConfigError);
  });

  it('treats null in a boolean key as false, as Python does with None', () => {
    expect(parseSchedulerConfig({ use_karras_sigmas: null }).useKarrasSigmas).toBe(false);
  });
});

describe('loadSchedulerConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfusion-scheduler-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file, including the bare -Infinity Python writes for lambda_min_clipped', async () => {
    const path = join(dir, 'scheduler_config.json');
    writeFileSync(path, '{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "note": "-Infinity stays a string"}');
    const config = await loadSchedulerConfig(path);
    expect(config.lambdaMinClipped).toBe(-Infinity);
    expect(config.extra['note']).toBe('-Infinity stays a string');
  });

  it('names the file when a value is invalid or the JSON is broken', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"beta_schedule": "cosine"}');
    await expect(loadSchedulerConfig(bad)).rejects.toThrow(`${bad}: "beta_schedule"`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"beta_schedule": ');
    await expect(loadSchedulerConfig(broken)).rejects.toThrow(SchedulerConfigError);
  });

  it('accepts an already parsed object', async () => {
    expect(await loadSchedulerConfig(SD15_SCHEDULER_CONFIG)).toEqual(parseSchedulerConfig(SD15_SCHEDULER_CONFIG));
  });
});
