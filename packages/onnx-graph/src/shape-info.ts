import { create } from '@bufbuild/protobuf';
import type { DType } from '@perfusion/tensor-core';
import { dtypeFromOnnx, onnxDataType } from './dtype.js';
import { OnnxGraphError } from './errors.js';
import type { TensorProto_DataType, TensorShapeProto_Dimension, ValueInfoProto } from './gen/onnx_pb.js';
import {
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from './gen/onnx_pb.js';

/**
 * One dimension of a value's shape: a fixed size, a symbolic name (`"batch"`), or `null` when
 * the model says nothing about it.
 */
export type Dim = number | string | null;

/**
 * The shape recorded for a tensor value, or undefined when its rank is unknown (no shape, or
 * not a tensor type).
 */
export function valueShape(info: ValueInfoProto): Dim[] | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType') return undefined;
  return type.value.shape?.dim.map(readDim);
}

/** The ONNX element type code of a tensor value, or undefined when not recorded. */
export function valueElemType(info: ValueInfoProto): TensorProto_DataType | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || type.value.elemType === 0) return undefined;
  return type.value.elemType;
}

/**
 * The tensor-core dtype of a tensor value.
 * @throws OnnxGraphError when the value has no tensor type; UnsupportedDataTypeError for other element types.
 */
export function valueDType(info: ValueInfoProto): DType {
  const code = valueElemType(info);
  if (code === undefined) throw new OnnxGraphError(`value '${info.name}' has no tensor element type recorded`);
  return dtypeFromOnnx(code, `value '${info.name}'`);
}

/**
 * A ValueInfoProto describing a tensor value, for graph inputs, outputs and value_info.
 * @param elemType a tensor-core dtype or an ONNX element type code.
 * @param shape the dims (numbers fixed, strings symbolic, null unknown); omit for unknown rank.
 */
export function tensorValueInfo(
  name: string,
  elemType: DType | TensorProto_DataType,
  shape?: readonly Dim[],
): ValueInfoProto {
  const code = typeof elemType === 'string' ? onnxDataType(elemType) : elemType;
  const tensorType = create(TypeProto_TensorSchema, { elemType: code });
  if (shape !== undefined) tensorType.shape = create(TensorShapeProtoSchema, { dim: shape.map(writeDim) });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }),
  });
}

function readDim(dim: TensorShapeProto_Dimension): Dim {
  switch (dim.value.case) {
    case 'dimValue':
      return Number(dim.value.value);
    case 'dimParam':
      return dim.value.value;
    default:
      return null;
  }
}

function writeDim(dim: Dim): TensorShapeProto_Dimension {
  if (dim === null) return create(TensorShapeProto_DimensionSchema);
  if (typeof dim === 'string') return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: dim } });
  if (!Number.isSafeInteger(dim) || dim < 0) {
    throw new OnnxGraphError(`dimension ${dim} is not a non-negative integer; use a string for symbolic dims`);
  }
  return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(dim) } });
}
