import { DTypeMismatchError } from './errors.js';

/** Element types a {@link Tensor} can hold; the names are onnxruntime's. */
export type DType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool';

/** Every {@link DType}, in a fixed order. */
export const DTYPES: readonly DType[] = Object.freeze(['float32', 'float16', 'int64', 'int32', 'uint8', 'bool']);

/**
 * The typed array that stores each dtype. `float16` is kept as raw IEEE-754 half bits in a Uint16Array
 * (Node 20 has no Float16Array); `bool` is one byte per element holding 0 or 1, as onnxruntime wants.
 */
export interface TypedArrayMap {
  float32: Float32Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/** The typed array type that stores dtype `D`. */
export type TypedArrayFor<D extends DType> = TypedArrayMap[D];

/** Any typed array a tensor may hold. */
export type TensorData = TypedArrayMap[DType];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4,
  float16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
});

interface TypedArrayConstructorFor<A> {
  new (length: number): A;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): A;
  readonly name: string;
}

const CONSTRUCTORS: { readonly [D in DType]: TypedArrayConstructorFor<TypedArrayMap[D]> } = {
  float32: Float32Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** True when `value` is one of the {@link DTYPES}. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CONSTRUCTORS, value);
}

/** The typed array constructor that stores `dtype`. */
export function typedArrayConstructorFor<D extends DType>(dtype: D): TypedArrayConstructorFor<TypedArrayFor<D>> {
  return CONSTRUCTORS[dtype];
}

/** A new zero-filled typed array of `length` elements for `dtype`. */
export function allocateTypedArray<D extends DType>(dtype: D, length: number): TypedArrayFor<D> {
  return new CONSTRUCTORS[dtype](length);
}

/** A typed array of `dtype` that views `length` elements of `buffer` from `byteOffset` (no copy). */
export function viewTypedArray<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArrayFor<D> {
  return new CONSTRUCTORS[dtype](buffer, byteOffset, length);
}

/**
 * Throws {@link DTypeMismatchError} unless `data` is the typed array kind that stores `dtype`.
 * Compares the `Symbol.toStringTag` rather than using `instanceof`, so arrays made in another
 * realm (a `vm` context) are accepted too; Node's Buffer reports itself as a Uint8Array and passes.
 */
export function assertTypedArrayFor<D extends DType>(dtype: D, data: unknown): asserts data is TypedArrayFor<D> {
  const expected = CONSTRUCTORS[dtype].name;
  const actual = describeValue(data);
  if (actual !== expected) throw new DTypeMismatchError(dtype, expected, actual);
}

function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value)) return (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? 'DataView';
  if (Array.isArray(value)) return 'plain Array';
  return value === null ? 'null' : typeof value;
}
