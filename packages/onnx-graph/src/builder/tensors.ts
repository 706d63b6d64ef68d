import { create } from '@bufbuild/protobuf';
import { type DType, Tensor, toFloat16Array } from '@perfusion/tensor-core';
import { onnxDataType } from '../dtype.js';
import {
  type TensorProto,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
  TensorShapeProtoSchema,
  TypeProtoSchema,
} from '../gen/onnx_pb.js';
import { GraphBuilderError } from './errors.js';
import type { FloatDType } from './value.js';

/** Shape of a graph input or output: fixed sizes and symbolic dimension names. */
export type Dims = readonly (number | string)[];

/** A tensor-typed ValueInfoProto; `shape` undefined leaves the rank unknown. */
export function valueInfo(name: string, dtype: DType, shape: Dims | undefined): ValueInfoProto {
  const tensorShape =
    shape === undefined
      ? undefined
      : create(TensorShapeProtoSchema, {
          dim: shape.map((d) =>
            typeof d === 'number'
              ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
              : { value: { case: 'dimParam' as const, value: d } },
          ),
        });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: { case: 'tensorType', value: { elemType: onnxDataType(dtype), shape: tensorShape } },
    }),
  });
}

/** fp32 values as a tensor of the builder's float dtype (converted, round-to-nearest-even, for fp16). */
export function floatTensor(dtype: FloatDType, values: Float32Array, shape: readonly number[]): Tensor {
  return dtype === 'float16'
    ? new Tensor('float16', toFloat16Array(values), shape)
    : new Tensor('float32', values, shape);
}

/** An unnamed TensorProto with `values` converted to `dtype` in little-endian raw_data. */
export function constantTensor(values: ArrayLike<number | bigint>, shape: readonly number[], dtype: DType): TensorProto {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new GraphBuilderError(
      `constant: ${values.length} values do not fill shape [${shape.join(', ')}] (${count} elements)`,
    );
  }
  let data: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      data = Float32Array.from(values, Number);
      break;
    case 'float16':
      data = toFloat16Array(Float32Array.from(values, Number));
      break;
    case 'int64':
      data = BigInt64Array.from(values, (v) => BigInt(v));
      break;
    case 'int32':
      data = Int32Array.from(values, Number);
      break;
    case 'uint8':
    case 'bool':
      data = Uint8Array.from(values, Number);
      break;
  }
  return create(TensorProtoSchema, {
    dims: shape.map((d) => BigInt(d)),
    dataType: onnxDataType(dtype),
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}
