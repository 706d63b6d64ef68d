import { PatchedModelCacheError } from '@perfusion/onnx-graph';
import { EncodersError, EncoderInputError, ModelInterfaceError } from '../errors.js';

/**
 * The text encoder has no token embedding this package can extend: no `Gather` whose data is a
 * `[vocab, d_emb]` float initializer and whose indices come from `input_ids` (directly or through
 * Cast / Reshape / Squeeze / Unsqueeze / Flatten / Identity), or several such Gathers.
 * The message names the model file and what was found instead.
 */
export class TokenEmbeddingNotFoundError extends ModelInterfaceError {
  constructor(
    readonly modelPath: string,
    reason: string,
  ) {
    super(
      `${modelPath}: cannot find the token embedding to extend for added tokens: ${reason}. Expected one Gather ` +
        `(axis 0) whose data is a [vocab, d_emb] float32/float16 initializer (e.g. 'text_model.embeddings.token_embedding.weight') ` +
        `and whose indices come from the graph input 'input_ids', as in diffusers/optimum CLIP text encoder exports; ` +
        `an onnxruntime-optimised graph with a fused EmbedLayerNormalization is not supported: pass the exported model.onnx.`,
    );
  }
}

/** The graph already takes `perfusion_token_embeddings`: extend the original text encoder instead. */
export class TokenEmbeddingAlreadyExtendedError extends ModelInterfaceError {
  constructor(
    readonly modelPath: string,
    readonly input: string,
  ) {
    super(`${modelPath}: the graph already has the input '${input}', so it was extended before; load the original text_encoder/model.onnx instead.`);
  }
}

/**
 * Ids or extra embeddings that do not fit together: an id at or beyond `vocabSize + rows`, or an
 * `extraEmbeddings` array whose length is not a multiple of the embedding width.
 */
export class ExtraEmbeddingsError extends EncoderInputError {
  constructor(
    message: string,
    /** The offending id, when an id is the problem. */
    readonly id?: number,
    /** The number of extra embedding rows given. */
    readonly rows?: number,
  ) {
    super(message);
  }
}

/**
 * The cache of extended text encoders could not be written or read (folder not writable, weights
 * on another file system, damaged entry). The cache is onnx-graph's `cachePatchedModel`: its
 * `PatchedModelCacheError` is this error's `cause`.
 */
export class TokenEmbeddingCacheError extends EncodersError {}

/** `error` as this package reports it: onnx-graph's PatchedModelCacheError becomes a {@link TokenEmbeddingCacheError} with its message. */
export function asTokenEmbeddingCacheError(error: unknown): unknown {
  return error instanceof PatchedModelCacheError ? new TokenEmbeddingCacheError(error.message, { cause: error }) : error;
}
