import type { DType } from '@perfusion/tensor-core';
import { UnsupportedDataTypeError } from './errors.js';
import { TensorProto_DataType } from './gen/onnx_pb.js';

const ONNX_BY_DTYPE: Readonly<Record<DType, TensorProto_DataType>> = {
  float32: TensorProto_DataType.FLOAT,
  float16: TensorProto_DataType.FLOAT16,
  int64: TensorProto_DataType.INT64,
  int32: TensorProto_DataType.INT32,
  uint8: TensorProto_DataType.UINT8,
  bool: TensorProto_DataType.BOOL,
};

const DTYPE_BY_ONNX: ReadonlyMap<number, DType> = new Map(
  (Object.entries(ONNX_BY_DTYPE) as [DType, TensorProto_DataType][]).map(([d, code]) => [code, d]),
);

/** The ONNX element type code (`TensorProto.DataType`) of a tensor-core dtype. */
export function onnxDataType(dtype: DType): TensorProto_DataType {
  const code = ONNX_BY_DTYPE[dtype];
  if (code === undefined) {
    throw new UnsupportedDataTypeError(`dtype '${String(dtype)}' has no ONNX element type mapping`);
  }
  return code;
}

/** The name ONNX gives an element type code, e.g. 10 → "FLOAT16"; unknown codes read "code 99". */
export function onnxDataTypeName(code: number): string {
  const name = (TensorProto_DataType as unknown as Record<number, string | undefined>)[code];
  return name ?? `code ${code}`;
}

/**
 * The tensor-core dtype of an ONNX element type code.
 * @param where what the code belongs to (a tensor or value name), used in the error message.
 * @throws UnsupportedDataTypeError for ONNX types tensor-core does not represent (double, int8, string, bfloat16...).
 */
export function dtypeFromOnnx(code: number, where?: string): DType {
  const dtype = DTYPE_BY_ONNX.get(code);
  if (dtype === undefined) {
    const supported = [...DTYPE_BY_ONNX.keys()].map(onnxDataTypeName).join(', ');
    const subject = where === undefined ? 'ONNX element type' : `${where} has ONNX element type`;
    throw new UnsupportedDataTypeError(
      `${subject} ${onnxDataTypeName(code)} (${code}), which tensor-core does not support; supported: ${supported}`,
    );
  }
  return dtype;
}
