import { TensorDataError } from '../errors.js';
import type { TensorProto } from '../gen/onnx_pb.js';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, TensorProtoSchema } from '../gen/onnx_pb.js';
import { clearField, create } from '@bufbuild/protobuf';

/** Where an external tensor's bytes are: `length` bytes at `offset` of the file `location`. */
export interface ExternalDataInfo {
  /** Path of the data file relative to the model's folder, as stored in the model. */
  readonly location: string;
  /** Byte offset of the tensor's data in the file (0 when the model does not say). */
  readonly offset: number;
  /** Byte length of the data; undefined when the model does not say (then: the tensor's full size). */
  readonly length: number | undefined;
}

/** Whether a tensor's data live in an external file rather than in the model. */
export function isExternalTensor(tensor: TensorProto): boolean {
  return tensor.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/**
 * Reads the `external_data` entries of an EXTERNAL tensor.
 * @throws TensorDataError when the tensor is not external or an entry is malformed.
 */
export function externalDataInfo(tensor: TensorProto): ExternalDataInfo {
  if (!isExternalTensor(tensor)) {
    throw new TensorDataError(`tensor '${tensor.name}' is not stored as external data (data_location is not EXTERNAL)`);
  }
  let location = '';
  let offset = 0;
  let length: number | undefined;
  for (const entry of tensor.externalData) {
    if (entry.key === 'location') location = entry.value;
    else if (entry.key === 'offset') offset = parseByteCount(entry.value, 'offset', tensor.name);
    else if (entry.key === 'length') length = parseByteCount(entry.value, 'length', tensor.name);
  }
  if (location === '') {
    throw new TensorDataError(`tensor '${tensor.name}' is marked EXTERNAL but its external_data has no 'location'`);
  }
  return { location, offset, length };
}

/**
 * Turns `tensor` into an external tensor stored at `info`, dropping any inline data.
 * `length` is always written so readers never have to infer it.
 */
export function setExternalData(tensor: TensorProto, info: { location: string; offset: number; length: number }): void {
  tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
  tensor.externalData = [
    create(StringStringEntryProtoSchema, { key: 'location', value: info.location }),
    create(StringStringEntryProtoSchema, { key: 'offset', value: String(info.offset) }),
    create(StringStringEntryProtoSchema, { key: 'length', value: String(info.length) }),
  ];
  // Cleared, not set to empty: an explicitly present empty raw_data would still be serialised.
  clearField(tensor, TensorProtoSchema.field.rawData);
  tensor.floatData = [];
  tensor.int32Data = [];
  tensor.int64Data = [];
  tensor.doubleData = [];
  tensor.uint64Data = [];
  tensor.stringData = [];
}

function parseByteCount(text: string, key: string, tensorName: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new TensorDataError(
      `tensor '${tensorName}' has external_data ${key} '${text}', which is not a non-negative integer`,
    );
  }
  return value;
}
