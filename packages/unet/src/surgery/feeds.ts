import { Tensor, toFloat16Array } from '@perfusion/tensor-core';
import type { FloatDType } from '../model-io.js';
import { PerfusionFeedsError } from './errors.js';
import { layerRowInputs, PERFUSION_COEFFS_INPUT, PERFUSION_KEY_STATES_INPUT } from './input-names.js';
import type { CrossAttentionLayer } from './layers.js';

/** What the feeds need to know about a patched model (a `PatchedUnet` has all of it). */
export interface PerfusionModelInfo {
  readonly layers: readonly CrossAttentionLayer[];
  /** Element type of the coefficient and row inputs. */
  readonly dtype: FloatDType;
  readonly separateKeyStates: boolean;
  /** Element type of `perfusion_key_states` (that of `encoder_hidden_states`); default `dtype`. */
  readonly hiddenStatesDType?: FloatDType;
}

/** One layer's row stacks, each `[2M, width]` row-major: `[−(p_j·W) for j ; o*_k for k]` (key-lock's `keyRows` / `valueRows`). */
export interface LayerRows {
  readonly k: Float32Array;
  readonly v: Float32Array;
}

/** The arguments of {@link perfusionFeeds}. */
export interface PerfusionFeedArgs {
  /**
   * `[rows, tokens, 2M]` float32: `[S | G]` for every token (key-lock's `coefficients`), one row
   * per `encoderHiddenStates` row of the `predictNoise` call, in the same order (under guidance:
   * the B unconditional rows, then the B conditional rows). M = 0 is allowed (`[rows, tokens, 0]`).
   */
  readonly coefficients: Tensor<'float32'>;
  /** Rows per layer key; every layer's when M > 0, may be omitted when M = 0. */
  readonly layerRows?: ReadonlyMap<string, LayerRows>;
  /**
   * `[rows, tokens, d]` float32 text states the K projections read, laid out like the coefficients;
   * required exactly when the model was patched with `separateKeyStates` (global locking).
   */
  readonly keyStates?: Tensor<'float32'>;
}

/**
 * The `extraFeeds` for `UNet.predictNoise` on a patched model: `perfusion_coeffs`, every layer's
 * `perfusion_rows/<key>/k` and `/v`, and `perfusion_key_states` when the model has it, already in
 * the model's element types (float16 models get float16 tensors, converted once here rather than
 * on every call).
 *
 * Batching: the coefficients (and key states) have a symbolic first dim in the graph, so when
 * their rows equal the hidden states' rows `predictNoise` splits them with the hidden states
 * (whole in the batched call, halves in sequential guidance, the conditional half without
 * guidance). The row inputs are `[1, 2M, width]`: their fixed leading 1 keeps them whole in every
 * call (a `[2M, width]` input would be split by mistake whenever 2M equals the number of rows).
 * Build the feeds once per generation and pass them to every step.
 *
 * @throws PerfusionFeedsError when sizes do not fit the model: odd coefficient width, a layer's
 *   rows missing or of the wrong length, rows for a layer the model lacks, key states missing,
 *   unexpected or of the wrong shape.
 */
export function perfusionFeeds(model: PerfusionModelInfo, args: PerfusionFeedArgs): Record<string, Tensor> {
  const { coefficients, layerRows, keyStates } = args;
  if (coefficients.dtype !== 'float32' || coefficients.rank !== 3) {
    throw new PerfusionFeedsError(`perfusionFeeds: coefficients must be float32 [rows, tokens, 2M], got ${coefficients.dtype} [${coefficients.shape.join(', ')}].`);
  }
  const [rows, tokens, columns] = coefficients.shape as [number, number, number];
  if (columns % 2 !== 0) {
    throw new PerfusionFeedsError(`perfusionFeeds: coefficients have ${columns} columns; expected 2M ([S | G], one sim and one gate column per concept).`);
  }
  const concepts2 = columns;
  const feeds: Record<string, Tensor> = { [PERFUSION_COEFFS_INPUT]: convert(coefficients.data, model.dtype, coefficients.shape) };

  const known = new Set(model.layers.map((l) => l.key));
  for (const key of layerRows?.keys() ?? []) {
    if (!known.has(key)) {
      throw new PerfusionFeedsError(`perfusionFeeds: layerRows has '${key}', which is not a cross-attention layer of this model; its layers are ${[...known].map((k) => `'${k}'`).join(', ')}.`);
    }
  }
  for (const layer of model.layers) {
    const names = layerRowInputs(layer.key);
    const given = layerRows?.get(layer.key);
    if (given === undefined && concepts2 > 0) {
      throw new PerfusionFeedsError(`perfusionFeeds: no rows for layer '${layer.key}'; with ${concepts2 / 2} concept(s) every layer needs its [${concepts2}, ${layer.width}] K and V rows.`);
    }
    for (const which of ['k', 'v'] as const) {
      const data = given?.[which] ?? new Float32Array(0);
      if (data.length !== concepts2 * layer.width) {
        throw new PerfusionFeedsError(
          `perfusionFeeds: layer '${layer.key}' ${which.toUpperCase()} rows have ${data.length} values; expected ${concepts2} × ${layer.width} = ${concepts2 * layer.width} ` +
            `(2M rows of the layer's width for ${concepts2 / 2} concept(s)).`,
        );
      }
      feeds[names[which]] = convert(data, model.dtype, [1, concepts2, layer.width]);
    }
  }

  if (model.separateKeyStates) {
    if (keyStates === undefined) {
      throw new PerfusionFeedsError(`perfusionFeeds: the model was patched with separateKeyStates, so it needs keyStates [${rows}, ${tokens}, d] (the prompt the K projections see).`);
    }
    const dim = model.layers[0]?.dim;
    if (keyStates.dtype !== 'float32' || keyStates.rank !== 3 || keyStates.shape[0] !== rows || keyStates.shape[1] !== tokens || (dim !== undefined && keyStates.shape[2] !== dim)) {
      throw new PerfusionFeedsError(
        `perfusionFeeds: keyStates is ${keyStates.dtype} [${keyStates.shape.join(', ')}]; expected float32 [${rows}, ${tokens}, ${dim ?? 'd'}], laid out like the coefficients.`,
      );
    }
    feeds[PERFUSION_KEY_STATES_INPUT] = convert(keyStates.data, model.hiddenStatesDType ?? model.dtype, keyStates.shape);
  } else if (keyStates !== undefined) {
    throw new PerfusionFeedsError('perfusionFeeds: keyStates given, but the model was patched without separateKeyStates; patch it with { separateKeyStates: true } or leave keyStates out.');
  }
  return feeds;
}

/**
 * Feeds that make a patched model compute exactly what the unpatched one does: zero concepts
 * (`[rows, tokens, 0]` coefficients and `[1, 0, width]` rows; the edit is an empty sum). With
 * `separateKeyStates`, pass the hidden states themselves as `keyStates`.
 */
export function noConceptFeeds(model: PerfusionModelInfo, rows: number, tokens: number, keyStates?: Tensor<'float32'>): Record<string, Tensor> {
  return perfusionFeeds(model, { coefficients: new Tensor('float32', new Float32Array(0), [rows, tokens, 0]), ...(keyStates !== undefined ? { keyStates } : {}) });
}

function convert(data: Float32Array, dtype: FloatDType, shape: readonly number[]): Tensor {
  return dtype === 'float16' ? new Tensor('float16', toFloat16Array(data), shape) : new Tensor('float32', data, shape);
}
