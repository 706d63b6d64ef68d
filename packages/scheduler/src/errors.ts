/**
 * Errors thrown by `@perfusion/scheduler`. Every error extends {@link SchedulerError}, so a caller can
 * catch the whole package's failures with one `instanceof` check, or a single kind by its class.
 */

/** Base class of every error this package throws. */
export class SchedulerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A `scheduler_config.json` key holds a value diffusers would reject (or that makes no sense). */
export class SchedulerConfigError extends SchedulerError {
  constructor(
    /** The key as spelled in `scheduler_config.json` (snake_case). */
    readonly key: string,
    readonly value: unknown,
    /** What the key accepts, in words or as a list of the accepted values. */
    readonly accepted: string,
    /** Where the config came from (a file path), when known. */
    readonly source?: string,
  ) {
    super(
      `${source === undefined ? 'scheduler config' : source}: "${key}" is ${describeValue(value)}, ` +
        `but it must be ${accepted}; fix the value or remove the key to use the scheduler's default.`,
    );
  }
}

/** A config asks for a diffusers feature this package does not implement; running anyway would silently differ. */
export class UnsupportedSchedulerOptionError extends SchedulerError {
  constructor(
    readonly scheduler: string,
    readonly key: string,
    readonly value: unknown,
    hint: string,
  ) {
    super(`${scheduler}: "${key}" = ${describeValue(value)} is not supported by this package; ${hint}`);
  }
}

/** `createScheduler` was given a name the registry does not know. */
export class UnknownSchedulerError extends SchedulerError {
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown scheduler "${requested}"; known schedulers are ${known.map((n) => `"${n}"`).join(', ')}.`);
  }
}

/** A scheduler method was called out of order or with a timestep the current schedule does not contain. */
export class SchedulerStateError extends SchedulerError {}

/** An argument has a value outside what the method accepts (wrong length, non-integer count, ...). */
export class SchedulerArgumentError extends SchedulerError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length} element(s)`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
