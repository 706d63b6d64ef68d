import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelDecodeError, ModelTooLargeError } from './errors.js';
import type { ModelProto } from './gen/onnx_pb.js';
import { ModelProtoSchema } from './gen/onnx_pb.js';
import { inlineModelTensorBytes, PROTOBUF_MESSAGE_LIMIT } from './model-size.js';

/** Options of {@link encodeModel}. */
export interface EncodeOptions {
  /**
   * Largest encoded size allowed, in bytes. Defaults to {@link PROTOBUF_MESSAGE_LIMIT} (2 GiB − 1),
   * beyond which no ONNX consumer can parse the message. Lower it to test the limit cheaply.
   */
  readonly maxBytes?: number;
}

/**
 * Decodes ONNX model bytes. Tensor payloads (`raw_data`) stay views into `bytes` rather than
 * copies, so keep `bytes` unmodified while the model is in use.
 * @param source names the bytes in error messages (the file path when read from disk).
 * @throws ModelDecodeError when the bytes are empty, not protobuf, cut short, or hold no graph.
 */
export function decodeModel(bytes: Uint8Array, source = 'model bytes'): ModelProto {
  if (bytes.length === 0) {
    throw new ModelDecodeError(source, 'empty', 'is empty (0 bytes); expected an ONNX model (.onnx)');
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    if (/premature EOF/i.test(why) && startsLikeModel(bytes)) {
      throw new ModelDecodeError(
        source,
        'truncated',
        `ends in the middle of a protobuf field (${why}); the file is truncated, re-export or re-download it`,
        { cause },
      );
    }
    throw new ModelDecodeError(source, 'not-onnx', `is not an ONNX model: protobuf decoding failed (${why})`, {
      cause,
    });
  }
  if (model.graph === undefined) {
    // Arbitrary bytes sometimes decode as a protobuf message full of unknown fields; an ONNX
    // model always has a graph, so this is the reliable "wrong kind of file" signal.
    const looksOnnx = model.irVersion > 0n || model.opsetImport.length > 0;
    throw new ModelDecodeError(
      source,
      looksOnnx ? 'no-graph' : 'not-onnx',
      looksOnnx
        ? `decodes as an ONNX ModelProto (ir_version ${model.irVersion}) but has no graph; the file may be truncated`
        : 'is not an ONNX model: no graph, no ir_version and no opset_import were found',
    );
  }
  return model;
}

// Field number → wire type of ModelProto's top-level fields (0 varint, 2 length-delimited).
const MODEL_FIELD_WIRE_TYPES: ReadonlyMap<number, number> = new Map([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2],
]);

/**
 * Whether the first field tag is one a ModelProto can have: separates "an ONNX file cut short"
 * from "some other file", since both usually fail with protobuf's premature-EOF error.
 */
function startsLikeModel(bytes: Uint8Array): boolean {
  let tag = 0;
  for (let i = 0, shift = 0; i < Math.min(bytes.length, 5); i++, shift += 7) {
    tag |= (bytes[i]! & 0x7f) << shift;
    if ((bytes[i]! & 0x80) === 0) return MODEL_FIELD_WIRE_TYPES.get(tag >>> 3) === (tag & 7);
  }
  return false;
}

/**
 * Encodes a model to ONNX bytes. Encoding is deterministic: the same model gives the same bytes.
 * @throws ModelTooLargeError when the inline tensor data or the encoded message exceed the
 *   protobuf limit; move the weights to external data first (see `externalizeInitializers`).
 */
export function encodeModel(model: ModelProto, options: EncodeOptions = {}): Uint8Array {
  const limit = options.maxBytes ?? PROTOBUF_MESSAGE_LIMIT;
  const inline = inlineModelTensorBytes(model);
  if (inline > limit) throw tooLarge(inline, limit, `its inline tensor data alone is ${formatBytes(inline)}`);
  const bytes = toBinary(ModelProtoSchema, model);
  if (bytes.length > limit) throw tooLarge(bytes.length, limit, `it encodes to ${formatBytes(bytes.length)}`);
  return bytes;
}

function tooLarge(bytes: number, limit: number, what: string): ModelTooLargeError {
  return new ModelTooLargeError(
    bytes,
    limit,
    `The model cannot be written as one ONNX file: ${what}, over the ${formatBytes(limit)} protobuf message limit. ` +
      'Store the weights as external data: stream them with ExternalDataWriter while building, or call ' +
      'externalizeInitializers(model, modelDir, "model.onnx_data") before writing.',
  );
}

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB (${n} bytes)`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB (${n} bytes)`;
  return `${n} bytes`;
}
