import { PatchedModelCacheError } from '@perfusion/onnx-graph';
import { UnetError } from '../errors.js';

/**
 * The graph has no cross-attention that the surgery recognises: no MatMul multiplies
 * `encoder_hidden_states` (directly or through a Cast) by a `[d, width]` weight on its way to an
 * attention. The message names the model file and what was found instead.
 */
export class NoCrossAttentionError extends UnetError {
  constructor(
    readonly modelPath: string,
    reason: string,
  ) {
    super(
      `${modelPath}: no cross-attention found: ${reason}. Perfusion patches the K and V projections of the UNet's ` +
        `cross-attention layers (MatMuls of 'encoder_hidden_states' by a [d, width] weight whose results meet the ` +
        `query before a Softmax (K) and the Softmax's output after it (V)). Pass the UNet model.onnx of a diffusers/optimum ` +
        `SD-1.x export, not an onnxruntime-optimised graph with fused attention kernels.`,
    );
  }
}

/**
 * A MatMul on the text states looks like a projection but cannot be placed: it is neither K nor V
 * of an attention, an attention has no K or two of them, K and V widths differ, or its weight is
 * not an initializer. Names the model and the nodes.
 */
export class CrossAttentionStructureError extends UnetError {
  constructor(
    readonly modelPath: string,
    readonly nodes: readonly string[],
    problem: string,
  ) {
    super(`${modelPath}: cannot patch cross-attention: ${problem} (nodes: ${nodes.map((n) => `'${n}'`).join(', ')}).`);
  }
}

/** The graph already has Perfusion's inputs: it was patched before. Patch the original model instead. */
export class AlreadyPatchedError extends UnetError {
  constructor(
    readonly modelPath: string,
    readonly input: string,
  ) {
    super(
      `${modelPath}: the graph already has the Perfusion input '${input}', so it was patched before; ` +
        'patch the original (unpatched) UNet model.onnx instead.',
    );
  }
}

/**
 * The patch cache could not be written or read (folder not writable, weights on another file system, …).
 * The cache is onnx-graph's `cachePatchedModel`: its `PatchedModelCacheError` is this error's `cause`.
 */
export class PatchCacheError extends UnetError {}

/** `error` as this package reports it: onnx-graph's PatchedModelCacheError becomes a {@link PatchCacheError} with its message. */
export function asPatchCacheError(error: unknown): unknown {
  return error instanceof PatchedModelCacheError ? new PatchCacheError(error.message, { cause: error }) : error;
}

/** Perfusion feeds that do not fit the patched model: wrong sizes, a layer's rows missing, key states missing. */
export class PerfusionFeedsError extends UnetError {}
