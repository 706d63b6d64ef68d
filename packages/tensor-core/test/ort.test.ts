import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  OrtTensorLocationError,
  Tensor,
  UnsupportedDTypeError,
  fromOrtTensor,
  toOrtTensor,
  type DType,
} from '../src/index.js';

const samples: { [D in DType]: Tensor<D> } = {
  float32: Tensor.from('float32', [1.5, -2, 0, 3, 4, 5], [2, 3]),
  float16: Tensor.from('float16', [1, -2, 0.5, 65504], [2, 2]),
  int64: Tensor.from('int64', [1n, -(2n ** 62n), 3n], [3]),
  int32: Tensor.from('int32', [7, -8], [1, 2]),
  uint8: Tensor.from('uint8', [0, 128, 255], [3, 1]),
  bool: Tensor.from('bool', [true, false, true, true], [4]),
};

describe('toOrtTensor / fromOrtTensor', () => {
  it.each(Object.keys(samples) as DType[])('round-trips %s through onnxruntime-node without copying', (dtype) => {
    const t = samples[dtype];
    const o = toOrtTensor(t);
    // onnxruntime-node's own class, not the look-alike from onnxruntime-common's ES build.
    expect(o).toBeInstanceOf(ort.Tensor);
    expect(o.type).toBe(dtype);
    expect(o.dims).toEqual(t.shape);
    const ortData = o.data as ArrayBufferView;
    expect(ortData.buffer).toBe(t.data.buffer);
    expect(ortData.byteOffset).toBe(t.data.byteOffset);

    const back = fromOrtTensor(o);
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual(t.shape);
    expect(back.data.buffer).toBe(t.data.buffer);
    expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
  });

  it('views tensors that onnxruntime-node created', () => {
    const data = Float32Array.of(1, 2, 3, 4);
    const back = fromOrtTensor(new ort.Tensor('float32', data, [2, 2]));
    expect(back.is('float32')).toBe(true);
    expect(back.data).toBe(data);
    expect(back.shape).toEqual([2, 2]);
    expect(Object.isFrozen(back.shape)).toBe(true);
  });

  it('keeps subarray views at their offset', () => {
    const base = Float32Array.of(9, 9, 1, 2);
    const t = new Tensor('float32', base.subarray(2), [2]);
    const back = fromOrtTensor(toOrtTensor(t));
    if (!back.is('float32')) expect.fail(`dtype ${back.dtype}`);
    expect(Array.from(back.data)).toEqual([1, 2]);
    expect(back.data.byteOffset).toBe(8);
  });

  it('views a Float16Array (runtimes that have one) as Uint16Array bits', () => {
    // Node 20 has no Float16Array; any 2-byte typed array stands in for one here.
    const stand_in = Int16Array.of(0x3c00, -16384); // 0xC000 as a signed 16-bit value
    const fake = { location: 'cpu', type: 'float16', data: stand_in, dims: [2] } as unknown as ort.Tensor;
    const back = fromOrtTensor(fake);
    if (!back.is('float16')) expect.fail(`dtype ${back.dtype}`);
    expect(back.data).toBeInstanceOf(Uint16Array);
    expect(back.data.buffer).toBe(stand_in.buffer);
    expect(Array.from(back.data)).toEqual([0x3c00, 0xc000]);
  });

  it('rejects element types tensor-core does not model, naming them', () => {
    expect(() => fromOrtTensor(new ort.Tensor('float64', new Float64Array(2), [2]))).toThrow(UnsupportedDTypeError);
    expect(() => fromOrtTensor(new ort.Tensor('int8', new Int8Array(2), [2]))).toThrow(/'int8' is not supported/);
    expect(() => fromOrtTensor(new ort.Tensor('string', ['a'], [1]))).toThrow(UnsupportedDTypeError);
  });

  it('rejects tensors whose data is not on the CPU', () => {
    const gpu = { location: 'gpu-buffer', type: 'float32', dims: [1] } as unknown as ort.Tensor;
    expect(() => fromOrtTensor(gpu)).toThrow(OrtTensorLocationError);
    expect(() => fromOrtTensor(gpu)).toThrow(/getData\(\)/);
  });

  it('refuses bool data other than 0 and 1', () => {
    const t = new Tensor('bool', Uint8Array.of(1, 0, 2), [3]);
    expect(() => toOrtTensor(t)).toThrow(InvalidArgumentError);
    expect(() => toOrtTensor(t)).toThrow(/element 2 is 2/);
  });
});
