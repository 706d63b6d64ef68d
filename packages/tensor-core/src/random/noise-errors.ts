import { TensorCoreError } from '../errors.js';

/** A noise mode name that {@link createNoiseSource} does not know. */
export class UnknownNoiseModeError extends TensorCoreError {
  constructor(
    readonly mode: string,
    readonly knownModes: readonly string[],
  ) {
    super(`createNoiseSource(mode): unknown noise mode '${mode}'; use one of ${knownModes.map((m) => `'${m}'`).join(', ')}.`);
  }
}

/**
 * A seed that a generator cannot take: not an integer, or outside the range the generator it
 * imitates accepts (torch's `manual_seed`: [-2^63, 2^64); NumPy's legacy `RandomState`: [0, 2^32)).
 */
export class InvalidSeedError extends TensorCoreError {
  constructor(
    readonly seed: number | bigint,
    /** The accepted range in words, e.g. `an integer in [0, 2^32)`. */
    readonly accepted: string,
    where: string,
  ) {
    super(`${where}: seed ${String(seed)} is not ${accepted}; pass such a seed (reduce it modulo the range if it is too large).`);
  }
}
