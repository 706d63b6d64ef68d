import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  OnnxGraphError,
  TensorProto_DataType,
  tensorValueInfo,
  UnsupportedDataTypeError,
  valueDType,
  valueElemType,
  valueShape,
  ValueInfoProtoSchema,
} from '../src/index.js';

describe('shape info', () => {
  it('round-trips static, symbolic and unknown dims', () => {
    const info = tensorValueInfo('sample', 'float32', ['batch', 4, null, 64]);
    expect(valueShape(info)).toEqual(['batch', 4, null, 64]);
    expect(valueElemType(info)).toBe(TensorProto_DataType.FLOAT);
    expect(valueDType(info)).toBe('float32');
  });

  it('tells unknown rank (no shape) from a scalar (empty shape)', () => {
    expect(valueShape(tensorValueInfo('any', 'int64'))).toBeUndefined();
    expect(valueShape(tensorValueInfo('scalar', 'int64', []))).toEqual([]);
  });

  it('accepts ONNX codes and reports values without a usable type', () => {
    const dbl = tensorValueInfo('d', TensorProto_DataType.DOUBLE, [2]);
    expect(valueElemType(dbl)).toBe(TensorProto_DataType.DOUBLE);
    expect(() => valueDType(dbl)).toThrow(UnsupportedDataTypeError);
    expect(() => valueDType(dbl)).toThrow(/value 'd' has ONNX element type DOUBLE/);
    const untyped = create(ValueInfoProtoSchema, { name: 'u' });
    expect(valueShape(untyped)).toBeUndefined();
    expect(() => valueDType(untyped)).toThrow(OnnxGraphError);
    expect(() => tensorValueInfo('bad', 'float32', [-1])).toThrow(/not a non-negative integer/);
  });
});
