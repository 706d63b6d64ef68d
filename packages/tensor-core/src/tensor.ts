import { allocateTypedArray, assertTypedArrayFor, DTYPES, isDType, type DType, type TypedArrayFor } from './dtype.js';
import { InvalidArgumentError, ShapeMismatchError, UnsupportedDTypeError } from './errors.js';
import { float32ToFloat16 } from './float16.js';
import { resolveReshape, shapeSize } from './shape.js';

/** What {@link Tensor.from} accepts as one element for dtype `D`. */
export type ElementInput<D extends DType> = D extends 'int64' ? number | bigint : D extends 'bool' ? boolean | number : number;

/**
 * A dense, contiguous, row-major n-dimensional array: a dtype, a shape and a typed array of exactly
 * `product(shape)` elements. There are no strides; views (see {@link Tensor.reshape}) share the
 * typed array, so writing through one is seen through the other.
 *
 * `float16` data is raw IEEE half bit patterns in a Uint16Array (use `toFloat16Array` /
 * `toFloat32Array` to convert); `bool` data is a Uint8Array of 0s and 1s.
 */
export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  /** Dimensions, outermost first; frozen. `[]` is a scalar with one element. */
  readonly shape: readonly number[];
  readonly data: TypedArrayFor<D>;

  /**
   * Wraps `data` (no copy). Throws `ShapeMismatchError` when `data.length` differs from the shape's
   * element count, `DTypeMismatchError` when `data` is not the typed array kind of `dtype`, and
   * `InvalidShapeError` for a negative or fractional dimension.
   */
  constructor(dtype: D, data: TypedArrayFor<D>, shape: readonly number[]) {
    if (!isDType(dtype)) throw new UnsupportedDTypeError(String(dtype), DTYPES, 'new Tensor()');
    assertTypedArrayFor(dtype, data);
    const size = shapeSize(shape);
    if (data.length !== size) throw new ShapeMismatchError(shape, size, data.length, `new Tensor('${dtype}')`);
    this.dtype = dtype;
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** A tensor of `shape` filled with zeros (for float16, +0 bits; for bool, false). */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): Tensor<D> {
    if (!isDType(dtype)) throw new UnsupportedDTypeError(String(dtype), DTYPES, 'Tensor.zeros()');
    return new Tensor(dtype, allocateTypedArray(dtype, shapeSize(shape)), shape);
  }

  /**
   * A tensor holding a copy of `values`, converted to `dtype`: float16 from real numbers (rounded to
   * nearest even, not bit patterns), bool from booleans or numbers (non-zero is true), int64 from
   * bigints or safe integers. Integers must fit the dtype: values are never wrapped or truncated.
   * `shape` defaults to `[values.length]`.
   */
  static from<D extends DType>(dtype: D, values: ArrayLike<ElementInput<D>>, shape?: readonly number[]): Tensor<D> {
    if (!isDType(dtype)) throw new UnsupportedDTypeError(String(dtype), DTYPES, 'Tensor.from()');
    const targetShape = shape ?? [values.length];
    const size = shapeSize(targetShape);
    if (values.length !== size) throw new ShapeMismatchError(targetShape, size, values.length, `Tensor.from('${dtype}')`);
    const data = allocateTypedArray(dtype, size);
    const convert = ELEMENT_CONVERTERS[dtype];
    for (let i = 0; i < size; i++) data[i] = convert(values[i] as never, i) as never;
    return new Tensor(dtype, data, targetShape);
  }

  /** Number of elements (the product of the shape). */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * Type guard on the dtype: `if (t.is('float32')) t.data` is then typed as a Float32Array.
   * Useful for tensors of unknown dtype, such as session outputs.
   */
  is<E extends DType>(dtype: E): this is Tensor<E> {
    return (this.dtype as DType) === dtype;
  }

  /**
   * The same data seen with another shape of the same element count (no copy). One dimension may be
   * -1 and is inferred. Throws `InvalidShapeError` when the shape does not fit.
   */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.dtype, this.data, resolveReshape(shape, this.size));
  }

  toString(): string {
    return `Tensor<${this.dtype}>[${this.shape.join(', ')}]`;
  }
}

type ElementConverter = (value: number | bigint | boolean, index: number) => number | bigint;

function integerIn(dtype: string, min: number, max: number): ElementConverter {
  return (value, index) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(
        `Tensor.from('${dtype}') element ${index}`,
        `${String(value)} is not an integer in ${min}..${max}; round or clamp it before building the tensor.`,
      );
    }
    return value;
  };
}

function realNumber(dtype: string): (value: number | bigint | boolean, index: number) => number {
  return (value, index) => {
    if (typeof value !== 'number') {
      throw new InvalidArgumentError(`Tensor.from('${dtype}') element ${index}`, `expected a number, got ${typeof value}.`);
    }
    return value;
  };
}

const asFloat = realNumber('float32');
const asHalfInput = realNumber('float16');

const ELEMENT_CONVERTERS: Readonly<Record<DType, ElementConverter>> = {
  float32: asFloat,
  float16: (value, index) => float32ToFloat16(asHalfInput(value, index)),
  int64: (value, index) => {
    if (typeof value === 'bigint') {
      if (BigInt.asIntN(64, value) === value) return value;
    } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      return BigInt(value);
    }
    throw new InvalidArgumentError(
      `Tensor.from('int64') element ${index}`,
      `${String(value)} is not a 64-bit integer; pass a bigint or a safe integer number.`,
    );
  },
  int32: integerIn('int32', -0x80000000, 0x7fffffff),
  uint8: integerIn('uint8', 0, 255),
  bool: (value) => (value ? 1 : 0),
};
