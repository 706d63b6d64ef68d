import { configClassName, type SchedulerConfig } from './config.js';
import { DdimScheduler } from './ddim.js';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.js';
import { UnknownSchedulerError } from './errors.js';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete.js';
import { EulerDiscreteScheduler } from './euler-discrete.js';
import { LmsDiscreteScheduler } from './lms-discrete.js';
import { PndmScheduler } from './pndm.js';
import type { Scheduler } from './scheduler.js';

/** Builds a scheduler from a config; keys the file lacks take that scheduler's diffusers defaults. */
export type SchedulerFactory = (config: SchedulerConfig) => Scheduler;

/** Every scheduler by its registry name. */
export const SCHEDULERS = Object.freeze({
  ddim: (config) => new DdimScheduler(config),
  pndm: (config) => new PndmScheduler(config),
  euler: (config) => new EulerDiscreteScheduler(config),
  'euler-a': (config) => new EulerAncestralDiscreteScheduler(config),
  'dpm++2m': (config) => new DpmSolverMultistepScheduler(config),
  'dpm++2m-karras': (config) => new DpmSolverMultistepScheduler(config, { useKarrasSigmas: true }),
  lms: (config) => new LmsDiscreteScheduler(config),
} satisfies Record<string, SchedulerFactory>);

export type SchedulerName = keyof typeof SCHEDULERS;

/** The registry names, in a stable order. */
export const SCHEDULER_NAMES = Object.freeze(Object.keys(SCHEDULERS) as SchedulerName[]);

/** diffusers' scheduler class names (a config's `_class_name`) and the registry entry that implements each. */
export const DIFFUSERS_CLASS_NAMES: Readonly<Record<string, SchedulerName>> = Object.freeze({
  DDIMScheduler: 'ddim',
  PNDMScheduler: 'pndm',
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler-a',
  DPMSolverMultistepScheduler: 'dpm++2m',
  LMSDiscreteScheduler: 'lms',
});

export function isSchedulerName(name: string): name is SchedulerName {
  return Object.hasOwn(SCHEDULERS, name);
}

/**
 * Creates the scheduler registered as `name` (`ddim`, `pndm`, `euler`, `euler-a`, `dpm++2m`,
 * `dpm++2m-karras`, `lms`) from a parsed config.
 *
 * @throws {UnknownSchedulerError} listing the known names when `name` is not one of them.
 */
export function createScheduler(name: string, config: SchedulerConfig): Scheduler {
  if (!isSchedulerName(name)) throw new UnknownSchedulerError(name, SCHEDULER_NAMES);
  return SCHEDULERS[name](config);
}

/**
 * The registry name of the scheduler a config was saved for (its `_class_name`), or undefined when
 * the config names no class this package implements. A model folder's default scheduler.
 */
export function defaultSchedulerName(config: SchedulerConfig): SchedulerName | undefined {
  const className = configClassName(config);
  if (className === undefined) return undefined;
  const name = DIFFUSERS_CLASS_NAMES[className];
  if (name !== 'dpm++2m') return name;
  return config.useKarrasSigmas === true ? 'dpm++2m-karras' : 'dpm++2m';
}
