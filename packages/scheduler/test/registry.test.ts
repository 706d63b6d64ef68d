import { describe, expect, it } from 'vitest';
import {
  DIFFUSERS_CLASS_NAMES,
  DdimScheduler,
  EulerAncestralDiscreteScheduler,
  EulerDiscreteScheduler,
  PndmScheduler,
  SCHEDULER_NAMES,
  SD15_SCHEDULER_CONFIG,
  UnknownSchedulerError,
  createScheduler,
  defaultSchedulerName,
  parseSchedulerConfig,
} from '@perfusion/scheduler';

const sd15 = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);

describe('scheduler registry', () => {
  it('knows the seven names of the issue', () => {
    expect([...SCHEDULER_NAMES].sort()).toEqual(['ddim', 'dpm++2m', 'dpm++2m-karras', 'euler', 'euler-a', 'lms', 'pndm'].sort());
  });

  it('builds this package\'s first-order schedulers by name', () => {
    expect(createScheduler('ddim', sd15)).toBeInstanceOf(DdimScheduler);
    expect(createScheduler('pndm', sd15)).toBeInstanceOf(PndmScheduler);
    expect(createScheduler('euler', sd15)).toBeInstanceOf(EulerDiscreteScheduler);
    expect(createScheduler('euler-a', sd15)).toBeInstanceOf(EulerAncestralDiscreteScheduler);
  });

  it('gives every registered scheduler a usable schedule from SD-1.5\'s config', () => {
    for (const name of SCHEDULER_NAMES) {
      const scheduler = createScheduler(name, sd15);
      scheduler.setTimesteps(10);
      expect(scheduler.timesteps.length, name).toBeGreaterThanOrEqual(10);
      expect(scheduler.initNoiseSigma, name).toBeGreaterThanOrEqual(1);
    }
  });

  it('rejects an unknown name with an error listing every known name', () => {
    let error: unknown;
    try {
      createScheduler('heun', sd15);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownSchedulerError);
    expect((error as UnknownSchedulerError).requested).toBe('heun');
    for (const name of SCHEDULER_NAMES) expect((error as Error).message).toContain(`"${name}"`);
  });

  it("maps a config's diffusers _class_name to the default scheduler", () => {
    expect(defaultSchedulerName(sd15)).toBe('pndm');
    for (const [className, name] of Object.entries(DIFFUSERS_CLASS_NAMES)) {
      expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: className }))).toBe(name);
    }
    expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: 'DPMSolverMultistepScheduler', use_karras_sigmas: true }))).toBe('dpm++2m-karras');
    expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: 'UniPCMultistepScheduler' }))).toBeUndefined();
    expect(defaultSchedulerName(parseSchedulerConfig({}))).toBeUndefined();
  });
});
