import { describe, expect, it } from 'vitest';
import {
  DTYPE_BYTES,
  DTYPES,
  DTypeMismatchError,
  InvalidArgumentError,
  InvalidShapeError,
  ShapeMismatchError,
  Tensor,
  TensorCoreError,
  UnsupportedDTypeError,
  allocateTypedArray,
  isDType,
  type DType,
} from '../src/index.js';

describe('Tensor construction', () => {
  it('wraps the data without copying and freezes a copy of the shape', () => {
    const data = new Float32Array(6);
    const shape = [2, 3];
    const t = new Tensor('float32', data, shape);
    expect(t.data).toBe(data);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    shape[0] = 99;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it('treats [] as a one-element scalar and allows empty tensors', () => {
    expect(new Tensor('int32', Int32Array.of(5), []).size).toBe(1);
    expect(new Tensor('uint8', new Uint8Array(0), [3, 0]).size).toBe(0);
  });

  it('names the expected and actual element counts when they differ', () => {
    const attempt = () => new Tensor('float32', new Float32Array(5), [2, 3]);
    expect(attempt).toThrow(ShapeMismatchError);
    expect(attempt).toThrow(/shape \[2, 3\] needs 6 elements but the data has 5/);
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(TensorCoreError);
      expect((error as ShapeMismatchError).expectedSize).toBe(6);
      expect((error as ShapeMismatchError).actualSize).toBe(5);
    }
  });

  it('rejects negative, fractional and non-finite dimensions, naming the dimension', () => {
    expect(() => new Tensor('float32', new Float32Array(0), [2, -1])).toThrow(/dimension 1 is -1/);
    expect(() => Tensor.zeros('float32', [1.5])).toThrow(InvalidShapeError);
    expect(() => Tensor.zeros('float32', [NaN])).toThrow(InvalidShapeError);
  });

  it('rejects a typed array of the wrong kind for the dtype', () => {
    const floats = new Float32Array(2) as unknown as Uint16Array;
    expect(() => new Tensor('float16', floats, [2])).toThrow(DTypeMismatchError);
    expect(() => new Tensor('float16', floats, [2])).toThrow(/float16 tensor stores its data in a Uint16Array, but a Float32Array/);
    const plain = [1, 2] as unknown as Float32Array;
    expect(() => new Tensor('float32', plain, [2])).toThrow(/plain Array/);
  });

  it('rejects an unknown dtype', () => {
    expect(() => Tensor.zeros('float64' as DType, [1])).toThrow(UnsupportedDTypeError);
  });
});

describe('dtypes', () => {
  it('store each dtype in the typed array the contract names, with matching byte sizes', () => {
    const expected: Record<DType, string> = {
      float32: 'Float32Array',
      float16: 'Uint16Array',
      int64: 'BigInt64Array',
      int32: 'Int32Array',
      uint8: 'Uint8Array',
      bool: 'Uint8Array',
    };
    for (const dtype of DTYPES) {
      const array = allocateTypedArray(dtype, 3);
      expect(array.constructor.name).toBe(expected[dtype]);
      expect(array.BYTES_PER_ELEMENT).toBe(DTYPE_BYTES[dtype]);
      expect(Tensor.zeros(dtype, [3]).data.constructor.name).toBe(expected[dtype]);
      expect(isDType(dtype)).toBe(true);
    }
    expect(isDType('float64')).toBe(false);
    expect(isDType('toString')).toBe(false);
  });

  it('accepts Node Buffers as uint8 data', () => {
    expect(new Tensor('uint8', Buffer.from([1, 2]), [2]).size).toBe(2);
  });
});

describe('Tensor.reshape', () => {
  it('is a view: it shares the typed array, so writes show through both', () => {
    const t = Tensor.from('int32', [1, 2, 3, 4, 5, 6], [2, 3]);
    const r = t.reshape([3, 2]);
    expect(r.data).toBe(t.data);
    expect(r.shape).toEqual([3, 2]);
    r.data[5] = 60;
    expect(t.data[5]).toBe(60);
  });

  it('infers one -1 dimension', () => {
    const t = Tensor.zeros('float32', [2, 3, 4]);
    expect(t.reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(t.reshape([2, -1]).shape).toEqual([2, 12]);
    expect(t.reshape([-1]).shape).toEqual([24]);
  });

  it('rejects shapes that do not fit, with the reason', () => {
    const t = Tensor.zeros('float32', [2, 3]);
    expect(() => t.reshape([4, 2])).toThrow(/holds 8 elements but the tensor has 6/);
    expect(() => t.reshape([-1, -1])).toThrow(/only one dimension may be -1/);
    expect(() => t.reshape([4, -1])).toThrow(/cannot infer the -1 dimension/);
    expect(() => t.reshape([0, -1])).toThrow(InvalidShapeError);
    expect(() => t.reshape([-2, -3])).toThrow(/dimension 0 is -2/);
  });
});

describe('Tensor.from', () => {
  it('converts values per dtype', () => {
    expect(Array.from(Tensor.from('float16', [1, -2, 65520]).data)).toEqual([0x3c00, 0xc000, 0x7c00]);
    expect(Array.from(Tensor.from('int64', [1, 2n ** 40n, -3]).data)).toEqual([1n, 2n ** 40n, -3n]);
    expect(Array.from(Tensor.from('bool', [true, false, 0, 7]).data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(Tensor.from('float32', [0.5, 3]).data)).toEqual([0.5, 3]);
    expect(Tensor.from('uint8', [0, 255], [1, 2]).shape).toEqual([1, 2]);
  });

  it('refuses values that the dtype cannot hold instead of wrapping them', () => {
    expect(() => Tensor.from('uint8', [256])).toThrow(InvalidArgumentError);
    expect(() => Tensor.from('int32', [2 ** 31])).toThrow(/element 0/);
    expect(() => Tensor.from('int32', [1.5])).toThrow(InvalidArgumentError);
    expect(() => Tensor.from('int64', [2n ** 63n])).toThrow(InvalidArgumentError);
    expect(() => Tensor.from('int64', [0.5])).toThrow(InvalidArgumentError);
    expect(() => Tensor.from('float32', [1n as unknown as number])).toThrow(/expected a number/);
  });

  it('checks the values against the shape', () => {
    expect(() => Tensor.from('float32', [1, 2, 3], [2, 2])).toThrow(ShapeMismatchError);
  });

  it('narrows its type with is(dtype)', () => {
    const t: Tensor = Tensor.from('int32', [1]);
    expect(t.is('int32')).toBe(true);
    expect(t.is('float32')).toBe(false);
    if (t.is('int32')) expect(t.data).toBeInstanceOf(Int32Array);
  });

  it('describes itself', () => {
    expect(String(Tensor.zeros('float16', [1, 4]))).toBe('Tensor<float16>[1, 4]');
  });
});
