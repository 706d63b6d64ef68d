import type { CrossAttentionLayer } from './layers.js';

/** The `[batch, sequence, 2M]` coefficient input `[S | G]` a patched UNet takes (M concepts; M = 0 allowed). */
export const PERFUSION_COEFFS_INPUT = 'perfusion_coeffs';
/** With `separateKeyStates`: the `[batch, sequence, d]` text states the K projections read instead of `encoder_hidden_states`. */
export const PERFUSION_KEY_STATES_INPUT = 'perfusion_key_states';
/** Prefix of the per-projection row inputs: `perfusion_rows/<layer key without its leading '/'>/k` and `…/v`. */
export const PERFUSION_ROWS_PREFIX = 'perfusion_rows/';
/** The symbolic size of the concept dimension (2M) in the patched graph's inputs. */
export const CONCEPTS_DIM = 'perfusion_concepts2';

/** The two row inputs of one layer. */
export interface LayerRowInputs {
  /** `[1, 2M, width]` rows added to the K projection (`[−(p·W_K) ; o*_K]`). */
  readonly k: string;
  /** `[1, 2M, width]` rows added to the V projection (`[−(p·W_V) ; o*_V]`). */
  readonly v: string;
}

/**
 * The names of the row inputs of the layer with key `layerKey`:
 * `perfusion_rows/down_blocks.0/attentions.0/transformer_blocks.0/attn2/k` (and `/v`) for the key
 * `/down_blocks.0/attentions.0/transformer_blocks.0/attn2`; `perfusion_rows/cross_attention.3/k` for
 * an index-based key. One leading `/` of the key is dropped, nothing else changes, so distinct
 * keys of one model give distinct names (the patch checks this).
 */
export function layerRowInputs(layerKey: string): LayerRowInputs {
  const path = layerKey.startsWith('/') ? layerKey.slice(1) : layerKey;
  return { k: `${PERFUSION_ROWS_PREFIX}${path}/k`, v: `${PERFUSION_ROWS_PREFIX}${path}/v` };
}

/** Every input a patched UNet adds, layer by layer, in the order of `layers`. */
export interface PerfusionInputNames {
  readonly coefficients: string;
  /** Present when the graph was patched with `separateKeyStates`. */
  readonly keyStates?: string;
  readonly rows: ReadonlyMap<string, LayerRowInputs>;
}

/** The inputs {@link patchCrossAttention} adds for `layers`. */
export function perfusionInputNames(layers: readonly CrossAttentionLayer[], separateKeyStates = false): PerfusionInputNames {
  return {
    coefficients: PERFUSION_COEFFS_INPUT,
    ...(separateKeyStates ? { keyStates: PERFUSION_KEY_STATES_INPUT } : {}),
    rows: new Map(layers.map((l) => [l.key, layerRowInputs(l.key)])),
  };
}
