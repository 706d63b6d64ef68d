import * as path from 'node:path';
import type { LayerSpec, ModelDescription } from '@perfusion/concept-format';
import { locateTokenEmbeddingTable } from '@perfusion/encoders';
import { readModel } from '@perfusion/onnx-graph';
import {
  baseModelFingerprint,
  findCrossAttentionLayers,
  readProjectionWeights,
  resolveUnetModelPath,
  type CrossAttentionLayer,
  type LayerWeights,
} from '@perfusion/unet';

/**
 * What concepts are checked against and built from: the base model's identity and shapes, and the
 * K/V projection weights of every cross-attention layer.
 */
export interface PerfusionModelDescription {
  /** The model folder, absolute. */
  readonly modelDir: string;
  /** A readable name for concept files' `base_model.name`: the folder's name. */
  readonly name: string;
  /** `@perfusion/unet`'s base-model fingerprint (layer names, widths and K/V weights). */
  readonly fingerprint: string;
  /** The cross-attention layers in graph order: key (the concept files' layer name) and width. */
  readonly layers: readonly LayerSpec[];
  /** d: the text encoding width (768 for SD 1.x). */
  readonly encodingDim: number;
  /** The token embedding width (768 for SD 1.x). */
  readonly embeddingDim: number;
}

/** The description as concept-format's `compatibility` takes it. */
export function modelExpectation(description: PerfusionModelDescription): ModelDescription & { encodingDim: number } {
  return { fingerprint: description.fingerprint, layers: description.layers, embeddingDim: description.embeddingDim, encodingDim: description.encodingDim };
}

/** The description plus the projection weights it was computed from (kept for the rows). */
export interface PerfusionModelWeights {
  readonly description: PerfusionModelDescription;
  readonly layers: readonly CrossAttentionLayer[];
  /**
   * W_K and W_V of every layer, float32 `[d, width]`: 2 · d · Σ widths floats, about 77 MB for SD 1.5
   * (16 layers, d = 768, widths summing to 12,480). Held for the life of the pipeline to compute
   * concept rows without reading the model again.
   */
  readonly weights: readonly LayerWeights[];
}

/**
 * Describes a base model for concepts without creating any session: finds the UNet's
 * cross-attention layers, reads their K/V weights (only those tensors), computes the base-model
 * fingerprint, and reads the token embedding width from the text encoder's graph. For `perfusion
 * inspect FILE --model DIR`; `loadPipeline` computes the same from the patched model it loads.
 */
export async function describePerfusionModel(modelDir: string): Promise<PerfusionModelDescription> {
  const dir = path.resolve(modelDir);
  const unetPath = await resolveUnetModelPath(dir);
  const model = await readModel(unetPath);
  const layers = findCrossAttentionLayers(model.graph!, unetPath);
  const weights = await readProjectionWeights(unetPath, layers);
  const table = await locateTokenEmbeddingTable(path.join(dir, 'text_encoder', 'model.onnx'));
  return describeLayers(dir, layers, weights, table.dim);
}

/** The description of a model whose layers and weights are known. */
export function describeLayers(modelDir: string, layers: readonly CrossAttentionLayer[], weights: readonly LayerWeights[], embeddingDim: number): PerfusionModelDescription {
  return {
    modelDir,
    name: path.basename(modelDir),
    fingerprint: baseModelFingerprint(layers, weights),
    layers: layers.map((l) => ({ layer: l.key, width: l.width })),
    encodingDim: layers[0]!.dim,
    embeddingDim,
  };
}
