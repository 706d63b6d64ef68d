import type { TextEncoder } from '@perfusion/encoders';
import { coefficients, keyRows, projectTransposed, valueRows, type ConceptDirection, type GateParameters } from '@perfusion/key-lock';
import { castFloatTensor, type OnnxSession } from '@perfusion/onnx-graph';
import { Tensor } from '@perfusion/tensor-core';
import { HIDDEN_STATES_INPUT, SAMPLE_INPUT, TIMESTEP_INPUT, perfusionFeeds, timestepTensor, type LayerRows, type LayerWeights, type PatchedUnet, type UnetIo } from '@perfusion/unet';
import { TRAINING_TARGET_INPUT, TRAINING_WEIGHTS_INPUT, UPSTREAM_GRADIENT_INPUT } from '../graphs/names.js';
import type { TextEncoderVjpGraph } from '../graphs/text-encoder-vjp.js';
import type { UnetTrainingGraph } from '../graphs/unet-training-graph.js';
import { addGateGradient } from './gate-gradient.js';

/** The sessions and model facts a gradient evaluation needs. */
export interface GradientModel {
  readonly encoder: TextEncoder;
  readonly unet: { readonly session: OnnxSession; readonly graph: UnetTrainingGraph; readonly io: UnetIo };
  readonly vjp: { readonly session: OnnxSession; readonly graph: TextEncoderVjpGraph };
  readonly patched: PatchedUnet;
  readonly weights: readonly LayerWeights[];
}

/** One micro-batch, ready to run: noisy latents, targets, loss weights, prompts and timesteps. */
export interface MicroBatch {
  /** [B, C, h, w] x_t. */
  readonly noisy: Float32Array;
  /** [B, C, h, w] ε or v. */
  readonly target: Float32Array;
  /** [B, 1, h, w]: mask / (C · Σ mask) / batch size, so the summed loss is the batch's mean error. */
  readonly weights: Float32Array;
  readonly latentShape: readonly [number, number, number];
  readonly prompts: readonly Int32Array[];
  /** The concept token's position in each prompt. */
  readonly positions: readonly number[];
  readonly timesteps: readonly number[];
}

/** The concept's trainable values and fixed inputs at this step. */
export interface ConceptParameters {
  readonly valueTargets: readonly Float32Array[];
  /** Extra embedding rows with the token's row set. */
  readonly extraEmbeddings: Float32Array;
  readonly extraRow: number;
  readonly direction: ConceptDirection;
  /** The encoding the keys are computed from (o*_K = W_K·superEncoding): i_super, or its trained value. */
  readonly superEncoding: Float32Array;
  readonly gate: GateParameters;
}

/** Loss and gradients of one micro-batch. */
export interface MicroBatchResult {
  readonly loss: number;
  /** ∂L/∂o*_V per layer. */
  readonly valueGradients: Float32Array[];
  /** ∂L/∂(token embedding). */
  readonly embeddingGradient: Float32Array;
  /** ∂L/∂superEncoding through every layer's key target: only when the UNet graph differentiates the K rows (trained keys). */
  readonly superEncodingGradient?: Float64Array;
  /** The concept token's encoding in each prompt (for i*'s moving average). */
  readonly tokenEncodings: Float32Array[];
}

/**
 * Perfusion's gradients for one micro-batch, in three model calls:
 * 1. the text encoder encodes the prompts (the token reads its current embedding);
 * 2. the UNet training graph takes the gated rank-one edit's coefficients and rows and returns the
 *    loss and its gradients w.r.t. the text states, the coefficients and every layer's V rows;
 * 3. the gate's part is folded into the text states' gradient (`addGateGradient`, i* held fixed) and
 *    the text encoder's VJP graph carries it back to the token's embedding.
 * Key rows are [−W_K i*; W_K s] with s = `params.superEncoding`: locked to i_super, never
 * differentiated — unless the UNet graph was built for trained keys, when the K rows' gradients come
 * back too and {@link superEncodingGradient} carries the key targets' share to s.
 */
export async function microBatchGradients(model: GradientModel, batch: MicroBatch, params: ConceptParameters): Promise<MicroBatchResult> {
  const rows = batch.prompts.length;
  const encoded = await model.encoder.encode(batch.prompts, { extraEmbeddings: params.extraEmbeddings });
  const [, tokens, d] = encoded.shape as [number, number, number];
  const concept = { direction: params.direction, beta: params.gate.beta, tau: params.gate.tau };
  const coeffs = coefficients(encoded.data, [concept]);
  const layerRows = new Map<string, LayerRows>(
    model.weights.map((layer, i) => [
      layer.key,
      { k: keyRows(layer.k, [params.direction], [params.superEncoding]), v: valueRows(layer.v, [params.direction], [params.valueTargets[i]!]) },
    ]),
  );
  const { io, session, graph } = model.unet;
  const [channels, height, width] = batch.latentShape;
  const feeds: Record<string, Tensor> = {
    ...perfusionFeeds(model.patched, { coefficients: new Tensor('float32', coeffs, [rows, tokens, 2]), layerRows }),
    [SAMPLE_INPUT]: castFloatTensor(new Tensor('float32', batch.noisy, [rows, channels, height, width]), io.sample.dtype),
    [TIMESTEP_INPUT]: timesteps(batch.timesteps, io),
    [HIDDEN_STATES_INPUT]: castFloatTensor(encoded, io.hiddenStates.dtype),
    [TRAINING_TARGET_INPUT]: new Tensor('float32', batch.target, [rows, channels, height, width]),
    [TRAINING_WEIGHTS_INPUT]: new Tensor('float32', batch.weights, [rows, 1, height, width]),
  };
  const outputs = [graph.loss, graph.hiddenStatesGradient, graph.coefficientsGradient, ...graph.valueRowsGradients.values(), ...(graph.keyRowsGradients?.values() ?? [])];
  const result = await session.run(feeds, outputs);
  const float = (name: string) => castFloatTensor(result[name]!, 'float32').data;

  const valueGradients = model.weights.map((layer) => {
    const g = float(graph.valueRowsGradients.get(layer.key)!);
    const width = layer.v.width;
    return g.slice(width, 2 * width); // row M + 0: the target o*_V (row 0 is −W_V i*, fixed)
  });
  const keyGradients = graph.keyRowsGradients;
  const superEncodingGradient = keyGradients && superEncodingGradientOf(model.weights, (layer) => float(keyGradients.get(layer)!), params.superEncoding.length);
  const upstream = Float32Array.from(float(graph.hiddenStatesGradient));
  addGateGradient(upstream, float(graph.coefficientsGradient), coeffs, params.direction.simVector, params.gate.tau);

  const vjpFeeds = { ...model.encoder.feeds(batch.prompts, { extraEmbeddings: params.extraEmbeddings }), [UPSTREAM_GRADIENT_INPUT]: new Tensor('float32', upstream, [rows, tokens, d]) };
  const vjp = await model.vjp.session.run(vjpFeeds, [model.vjp.graph.embeddingsGradient]);
  const embeddingRows = castFloatTensor(vjp[model.vjp.graph.embeddingsGradient]!, 'float32').data;
  const dim = params.extraEmbeddings.length / (params.extraRow + 1);
  const embeddingGradient = embeddingRows.slice(params.extraRow * dim, (params.extraRow + 1) * dim);

  const tokenEncodings = batch.positions.map((position, b) => encoded.data.slice((b * tokens + position) * d, (b * tokens + position + 1) * d));
  return { loss: float(graph.loss)[0]!, valueGradients, embeddingGradient, tokenEncodings, ...(superEncodingGradient && { superEncodingGradient }) };
}

/**
 * ∂L/∂s for the key targets o*_K,l = s · W_K,l of every layer: Σ_l W_K,l · ∂L/∂o*_K,l, each layer's
 * target gradient being row M + 0 of its K rows' gradient (row 0, −W_K i*, does not depend on s).
 */
function superEncodingGradientOf(weights: readonly LayerWeights[], keyRowsGradient: (layer: string) => Float32Array, d: number): Float64Array {
  const sum = new Float64Array(d);
  for (const layer of weights) {
    const width = layer.k.width;
    const back = projectTransposed(keyRowsGradient(layer.key).subarray(width, 2 * width), layer.k);
    for (let i = 0; i < d; i++) sum[i] += back[i]!;
  }
  return sum;
}

/** The timestep feed: one value per row when the model takes a batch of them, else the shared one. */
function timesteps(values: readonly number[], io: UnetIo): Tensor {
  const { dtype, layout } = io.timestep;
  if (layout !== 'batch' || values.every((t) => t === values[0])) return timestepTensor(values[0]!, dtype, layout, values.length);
  const rows = values.map((t) => timestepTensor(t, dtype, layout, 1).data);
  switch (dtype) {
    case 'int64':
      return new Tensor('int64', BigInt64Array.from(rows.map((r) => (r as BigInt64Array)[0]!)), [values.length]);
    case 'int32':
      return new Tensor('int32', Int32Array.from(rows.map((r) => (r as Int32Array)[0]!)), [values.length]);
    case 'float32':
      return new Tensor('float32', Float32Array.from(rows.map((r) => (r as Float32Array)[0]!)), [values.length]);
    case 'float16':
      return new Tensor('float16', Uint16Array.from(rows.map((r) => (r as Uint16Array)[0]!)), [values.length]);
  }
}
