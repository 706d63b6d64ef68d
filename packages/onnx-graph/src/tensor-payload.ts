import { TensorDataError } from './errors.js';
import type { TensorProto } from './gen/onnx_pb.js';
import { TensorProto_DataType as T } from './gen/onnx_pb.js';
import { onnxDataTypeName } from './dtype.js';

const ELEMENT_BYTES: ReadonlyMap<number, number> = new Map([
  [T.FLOAT, 4], [T.UINT8, 1], [T.INT8, 1], [T.UINT16, 2], [T.INT16, 2], [T.INT32, 4], [T.INT64, 8],
  [T.BOOL, 1], [T.FLOAT16, 2], [T.DOUBLE, 8], [T.UINT32, 4], [T.UINT64, 8], [T.COMPLEX64, 8],
  [T.COMPLEX128, 16], [T.BFLOAT16, 2], [T.FLOAT8E4M3FN, 1], [T.FLOAT8E4M3FNUZ, 1], [T.FLOAT8E5M2, 1],
  [T.FLOAT8E5M2FNUZ, 1],
]);

/** Bytes per element of a fixed-width ONNX element type; undefined for strings and packed 4-bit types. */
export function onnxElementBytes(code: number): number | undefined {
  return ELEMENT_BYTES.get(code);
}

/** A tensor's dims as numbers, checked to be non-negative safe integers. */
export function tensorDims(tensor: TensorProto): number[] {
  return tensor.dims.map((d) => {
    const n = Number(d);
    if (d < 0n || !Number.isSafeInteger(n)) {
      throw new TensorDataError(`tensor '${tensor.name}' has invalid dimension ${d} in dims [${tensor.dims.join(', ')}]`);
    }
    return n;
  });
}

/** Number of elements of a tensor (product of its dims; 1 for a scalar). */
export function tensorElementCount(tensor: TensorProto): number {
  return tensorDims(tensor).reduce((a, b) => a * b, 1);
}

/** Payload size in bytes of a fixed-width tensor: element count × element width. */
export function tensorByteLength(tensor: TensorProto): number {
  const width = onnxElementBytes(tensor.dataType);
  if (width === undefined) {
    throw new TensorDataError(
      `tensor '${tensor.name}' has element type ${onnxDataTypeName(tensor.dataType)}, which has no fixed byte width`,
    );
  }
  return tensorElementCount(tensor) * width;
}

/**
 * The little-endian payload of an inline tensor: `raw_data` as is (a view, no copy), or the typed
 * `*_data` field re-encoded the way raw_data would hold it. ONNX stores 8- and 16-bit types
 * (fp16 bits, uint8, bool...) one per `int32_data` entry, so those are narrowed here.
 * @throws TensorDataError when the payload size does not match dims × element width.
 */
export function inlinePayload(tensor: TensorProto): Uint8Array {
  const expected = tensorByteLength(tensor);
  const bytes = tensor.rawData.length > 0 || expected === 0 ? tensor.rawData : typedFieldBytes(tensor);
  if (bytes.length !== expected) {
    throw new TensorDataError(
      `tensor '${tensor.name}' holds ${bytes.length} bytes of data but dims [${tensor.dims.join(', ')}] of ` +
        `${onnxDataTypeName(tensor.dataType)} need ${expected}`,
    );
  }
  return bytes;
}

function typedFieldBytes(tensor: TensorProto): Uint8Array {
  const field = typedField(tensor);
  if (field === undefined) {
    throw new TensorDataError(
      `tensor '${tensor.name}' (${onnxDataTypeName(tensor.dataType)}, dims [${tensor.dims.join(', ')}]) has no data: ` +
        'raw_data and the typed data fields are empty and it is not external',
    );
  }
  const out = new Uint8Array(field.values.length * field.width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < field.values.length; i++) field.write(view, i * field.width, field.values[i]!);
  return out;
}

/** A typed data field: its values, the bytes each takes in raw_data, and how to write one. */
interface TypedField {
  readonly values: readonly (number | bigint)[];
  readonly width: number;
  write(view: DataView, at: number, value: number | bigint): void;
}

function field<V extends number | bigint>(
  values: readonly V[],
  width: number,
  write: (view: DataView, at: number, value: V) => void,
): TypedField | undefined {
  return values.length > 0 ? ({ values, width, write } as TypedField) : undefined;
}

function typedField(t: TensorProto): TypedField | undefined {
  switch (t.dataType) {
    case T.FLOAT:
    case T.COMPLEX64:
      return field(t.floatData, 4, (v, at, x) => v.setFloat32(at, x, true));
    case T.DOUBLE:
    case T.COMPLEX128:
      return field(t.doubleData, 8, (v, at, x) => v.setFloat64(at, x, true));
    case T.INT64:
      return field(t.int64Data, 8, (v, at, x) => v.setBigInt64(at, x, true));
    case T.UINT64:
      return field(t.uint64Data, 8, (v, at, x) => v.setBigUint64(at, x, true));
    case T.UINT32:
      return field(t.uint64Data, 4, (v, at, x) => v.setUint32(at, Number(x), true));
    case T.INT32:
      return field(t.int32Data, 4, (v, at, x) => v.setInt32(at, x, true));
    case T.FLOAT16:
    case T.BFLOAT16:
    case T.UINT16:
    case T.INT16:
      return field(t.int32Data, 2, (v, at, x) => v.setUint16(at, x & 0xffff, true));
    case T.UINT8:
    case T.INT8:
    case T.BOOL:
    case T.FLOAT8E4M3FN:
    case T.FLOAT8E4M3FNUZ:
    case T.FLOAT8E5M2:
    case T.FLOAT8E5M2FNUZ:
      return field(t.int32Data, 1, (v, at, x) => v.setUint8(at, x & 0xff));
    default:
      return undefined;
  }
}

/**
 * Where `tensor`'s raw_data sit in `fileBytes`, the bytes the model was decoded from: their byte
 * offset when the payload is a non-empty view into those bytes (as decoding leaves it), else
 * undefined (typed data fields, external data, or a copy).
 */
export function rawDataOffsetIn(tensor: TensorProto, fileBytes: Uint8Array): number | undefined {
  const raw = tensor.rawData;
  if (raw.length === 0 || raw.buffer !== fileBytes.buffer) return undefined;
  const offset = raw.byteOffset - fileBytes.byteOffset;
  return offset >= 0 && offset + raw.length <= fileBytes.length ? offset : undefined;
}
