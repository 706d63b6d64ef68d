/**
 * The package's error taxonomy. Every error thrown on purpose by `@perfusion/onnx-graph` extends
 * {@link OnnxGraphError}, so callers can tell "this model or edit is wrong" from programming bugs,
 * and each message says what was wrong, where (file, tensor, node) and what to do about it.
 */

/** Base class of every error this package throws on purpose. */
export class OnnxGraphError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a byte string could not be turned into a usable `ModelProto`. */
export type ModelDecodeFailure = 'unreadable' | 'empty' | 'not-onnx' | 'truncated' | 'no-graph';

/** The bytes (or file) are not a readable ONNX model. */
export class ModelDecodeError extends OnnxGraphError {
  constructor(
    readonly source: string,
    readonly reason: ModelDecodeFailure,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** The model cannot be serialised as one protobuf message (protobuf's 2 GiB limit). */
export class ModelTooLargeError extends OnnxGraphError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    detail: string,
  ) {
    super(detail);
  }
}

/** An ONNX element type that has no `DType` counterpart in tensor-core. */
export class UnsupportedDataTypeError extends OnnxGraphError {}

/** A TensorProto's data is missing, of the wrong size, or otherwise unreadable. */
export class TensorDataError extends OnnxGraphError {}

/** External data could not be located, read, written or linked. */
export class ExternalDataError extends OnnxGraphError {}

/**
 * A patched-model cache entry could not be made or used: the cache folder is not writable, the
 * weights cannot be linked beside the patched model (another file system), a weight file of the
 * source is missing, or an entry just written is incomplete.
 */
export class PatchedModelCacheError extends OnnxGraphError {}

/** An edit or a query found the graph in a state it cannot work with (cycle, bad placement, name clash). */
export class GraphStructureError extends OnnxGraphError {}

/** A {@link GraphIndex} was used after the graph it indexes changed shape. */
export class StaleGraphIndexError extends OnnxGraphError {}
