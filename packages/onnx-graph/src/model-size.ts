import type { ModelProto, TensorProto } from './gen/onnx_pb.js';
import { TensorProto_DataLocation } from './gen/onnx_pb.js';
import { forEachTensor } from './tensor-walk.js';

/**
 * The largest message protobuf implementations (ONNX's C++ checker, onnxruntime) accept: 2 GiB − 1
 * bytes. A model over it must keep its weights in external data files.
 */
export const PROTOBUF_MESSAGE_LIMIT = 2 ** 31 - 1;

/** Bytes of tensor payload a TensorProto carries inside the message (0 for external tensors). */
export function inlineTensorBytes(t: TensorProto): number {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) return 0;
  let bytes = t.rawData.length;
  bytes += t.floatData.length * 4 + t.int32Data.length * 4;
  bytes += t.int64Data.length * 8 + t.doubleData.length * 8 + t.uint64Data.length * 8;
  for (const s of t.stringData) bytes += s.length;
  return bytes;
}

/**
 * Total tensor payload stored inline in a model. It is a lower bound of the encoded size and the
 * only part that can realistically approach 2 GiB, so checking it before encoding avoids
 * allocating a multi-GB buffer only to fail afterwards.
 */
export function inlineModelTensorBytes(model: ModelProto): number {
  let total = 0;
  forEachTensor(model, (t) => {
    total += inlineTensorBytes(t);
  });
  return total;
}
