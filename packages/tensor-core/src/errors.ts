/**
 * Errors thrown by `@perfusion/tensor-core`. Every error extends {@link TensorCoreError}, so a caller
 * can catch the whole package's failures with one `instanceof` check, or a single kind by its class.
 * Messages say what was wrong, where, and what to do about it.
 */

/** Base class of every error this package throws. */
export class TensorCoreError extends Error {
  constructor(message: string) {
    super(message);
    // Subclasses get their own name without repeating this line, which keeps stack traces readable.
    this.name = new.target.name;
  }
}

/** A shape is malformed: a dimension is negative or not an integer, or a reshape cannot be resolved. */
export class InvalidShapeError extends TensorCoreError {
  constructor(
    readonly shape: readonly number[],
    readonly reason: string,
  ) {
    super(`Invalid shape [${shape.join(', ')}]: ${reason}`);
  }
}

/** A buffer's element count does not match the element count its shape requires. */
export class ShapeMismatchError extends TensorCoreError {
  constructor(
    readonly shape: readonly number[],
    readonly expectedSize: number,
    readonly actualSize: number,
    where: string,
  ) {
    super(
      `${where}: shape [${shape.join(', ')}] needs ${expectedSize} elements but the data has ${actualSize}; ` +
        `pass data of length ${expectedSize} or a shape whose product is ${actualSize}.`,
    );
  }
}

/** A typed array is not the kind the dtype stores (for example a Float32Array given for `float16`). */
export class DTypeMismatchError extends TensorCoreError {
  constructor(
    readonly dtype: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`A ${dtype} tensor stores its data in a ${expected}, but a ${actual} was given; convert it first.`);
  }
}

/** A dtype (usually one coming from onnxruntime) that tensor-core has no representation for. */
export class UnsupportedDTypeError extends TensorCoreError {
  constructor(
    readonly dtype: string,
    readonly supported: readonly string[],
    where: string,
  ) {
    super(`${where}: dtype '${dtype}' is not supported; supported dtypes are ${supported.join(', ')}.`);
  }
}

/** An argument has a value outside what the function accepts. */
export class InvalidArgumentError extends TensorCoreError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

/** A flat array's length does not match the matrix dimensions it was passed with. */
export class DimensionMismatchError extends TensorCoreError {
  constructor(
    readonly argument: string,
    readonly expectedLength: number,
    readonly actualLength: number,
    readonly description: string,
  ) {
    super(
      `${argument} must hold ${expectedLength} numbers (${description}) but has ${actualLength}; ` +
        `check the dimensions passed alongside it.`,
    );
  }
}

/**
 * Cholesky factorisation met a pivot that is not strictly positive, so the matrix is not symmetric
 * positive definite (or is so badly conditioned that rounding made it indefinite).
 */
export class NotPositiveDefiniteError extends TensorCoreError {
  constructor(
    /** Zero-based row/column index of the failing pivot. */
    readonly pivotIndex: number,
    /** The value that should have been positive (the diagonal after elimination); may be NaN. */
    readonly pivotValue: number,
    readonly order: number,
  ) {
    super(
      `Matrix is not positive definite: Cholesky pivot ${pivotIndex} (of ${order}) is ${pivotValue}, ` +
        `which must be > 0. Check that the matrix is symmetric with finite entries, or regularise it ` +
        `with a ridge (the ridge / relativeRidge options of solveSPD and SpdSolver).`,
    );
  }
}

/** An onnxruntime tensor's data was not on the CPU, so it cannot be viewed without a download. */
export class OrtTensorLocationError extends TensorCoreError {
  constructor(readonly location: string) {
    super(
      `fromOrtTensor: the tensor's data is on '${location}', not on the CPU; ` +
        `await its getData() and build a Tensor from the returned array instead.`,
    );
  }
}

/** Bytes given as a NumPy `.npy` file are not one, or hold an array this package cannot represent. */
export class NpyFormatError extends TensorCoreError {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}
