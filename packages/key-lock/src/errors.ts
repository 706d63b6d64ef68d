/**
 * Errors thrown by `@perfusion/key-lock`. Every error extends {@link KeyLockError}, so a caller can
 * catch the whole package's failures with one `instanceof` check, or a single kind by its class.
 * Messages say what was wrong, where, and what to do about it.
 */

/** Base class of every error this package throws. */
export class KeyLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A vector or matrix does not have the size the other arguments imply: an encoding whose width is
 * not the covariance's d, a projection weight that is not d × width, a target of the wrong width.
 */
export class KeyLockDimensionError extends KeyLockError {
  constructor(
    /** The argument, e.g. `layerRows(weight '/down_blocks.0/…/attn2/to_k')` or `concepts[1].inputEncoding`. */
    readonly argument: string,
    /** What the size is measured in: 'd' (encoding width), 'width' (projection output width), 'numbers' (array length). */
    readonly quantity: string,
    readonly expected: number,
    readonly actual: number,
    hint: string,
  ) {
    super(`${argument}: expected ${quantity} = ${expected} but got ${actual}; ${hint}`);
  }
}

/** A gate's bias β or temperature τ is outside what the gate accepts (τ must be > 0, both finite). */
export class GateParameterError extends KeyLockError {
  constructor(
    readonly parameter: 'beta' | 'tau',
    readonly value: number,
    /** Which concept (index and name when known). */
    readonly where: string,
  ) {
    super(
      parameter === 'tau'
        ? `${where}: tau = ${value} is not a finite number > 0; the gate is sigmoid((sim − beta) / tau), ` +
            `so tau must be positive (0.1 .. 0.2 is typical; smaller is a sharper gate).`
        : `${where}: beta = ${value} is not a finite number; beta is the sim at which the gate is one half ` +
            `(0.6 .. 0.75 is typical; higher weakens the concept).`,
    );
  }
}

/** A concept list was empty where at least one concept is needed. */
export class EmptyConceptListError extends KeyLockError {
  constructor(readonly where: string) {
    super(`${where}: the concept list is empty; pass at least one concept (or skip the Perfusion edit when there is none).`);
  }
}

/** A concept's input i* has i*ᵀ C⁻¹ i* that is not a positive finite number (i* zero, or NaN/∞ entries). */
export class DegenerateConceptError extends KeyLockError {
  constructor(
    readonly where: string,
    readonly energy: number,
  ) {
    super(
      `${where}: i*ᵀ C⁻¹ i* = ${energy}, which must be a finite number > 0; the concept's input encoding is ` +
        `zero or holds NaN/infinite values. Check the concept file's input encoding.`,
    );
  }
}

/** `finalize()` was called on a covariance accumulator that has seen no encodings. */
export class EmptyCovarianceError extends KeyLockError {
  constructor() {
    super('CovarianceAccumulator.finalize: no encodings were added; add the text encodings of a caption corpus first.');
  }
}

/** Any other argument outside what a function accepts (a non-integer count, a non-finite value, ...). */
export class KeyLockArgumentError extends KeyLockError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}
