import { create } from '@bufbuild/protobuf';
import type { DType } from '@perfusion/tensor-core';
import { Tensor } from '@perfusion/tensor-core';
import { dtypeFromOnnx, onnxDataType } from './dtype.js';
import { ExternalDataError } from './errors.js';
import { isExternalTensor } from './external-data/info.js';
import { readExternalPayload } from './external-data/read.js';
import type { TensorProto } from './gen/onnx_pb.js';
import { TensorProtoSchema } from './gen/onnx_pb.js';
import { fromLittleEndian, toLittleEndian } from './little-endian.js';
import { inlinePayload, tensorDims } from './tensor-payload.js';

/**
 * An inline TensorProto holding a copy of `tensor`'s data as little-endian `raw_data`
 * (later changes to the tensor do not reach the proto).
 */
export function tensorToProto(name: string, tensor: Tensor): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: onnxDataType(tensor.dtype),
    dims: tensor.shape.map((d) => BigInt(d)),
    rawData: toLittleEndian(tensor.data),
  });
}

/**
 * Reads a TensorProto into a new Tensor (its own copy of the data). Handles `raw_data`, the typed
 * `float_data` / `int32_data` (incl. fp16 bits, uint8, bool) / `int64_data` fields, and EXTERNAL
 * data, of which only this tensor's byte range is read.
 * @param modelDir folder of the model file, required for external tensors.
 * @throws UnsupportedDataTypeError for element types tensor-core lacks; TensorDataError /
 *   ExternalDataError when the data are missing, of the wrong size, or outside `modelDir`.
 */
export function tensorFromProto(proto: TensorProto, modelDir?: string): Tensor {
  const dtype: DType = dtypeFromOnnx(proto.dataType, `tensor '${proto.name}'`);
  const shape = tensorDims(proto);
  if (!isExternalTensor(proto)) return new Tensor(dtype, fromLittleEndian(inlinePayload(proto), dtype), shape);
  if (modelDir === undefined) {
    throw new ExternalDataError(
      `tensor '${proto.name}' is stored as external data; pass the model's folder as modelDir to read it`,
    );
  }
  return new Tensor(dtype, fromLittleEndian(readExternalPayload(proto, modelDir), dtype, true), shape);
}
