import type { FloatDType } from '../model-io.js';

/** One K or V projection of a cross-attention layer: `output = activation · weight`. */
export interface ProjectionNode {
  /** The MatMul node's name ('' when the export left it unnamed). */
  readonly name: string;
  /** The value it produces (unique in the graph; what the patch adds to). */
  readonly output: string;
  /** The value it multiplies: `encoder_hidden_states`, or a Cast of it in float16 exports with float32 inputs. */
  readonly activation: string;
  /** The name of its `[dim, width]` weight initializer (reached through Identity nodes if any). */
  readonly weight: string;
  /** The weight's element type: the type the patch's inputs take. */
  readonly dtype: FloatDType;
}

/** A cross-attention layer (diffusers' `attn2`): its K and V projections of the text states. */
export interface CrossAttentionLayer {
  /**
   * A stable name: the node names' common prefix in the diffusers/optimum form (K `<key>/to_k/MatMul`,
   * V `<key>/to_v/MatMul`, e.g. `/down_blocks.0/attentions.0/transformer_blocks.0/attn2`), else
   * `cross_attention.<i>` with i the layer's index in graph order.
   */
  readonly key: string;
  readonly k: ProjectionNode;
  readonly v: ProjectionNode;
  /** Output width of K and V (320, 640 or 1280 in SD 1.5). */
  readonly width: number;
  /** Width d of the text states they project (768 in SD 1.5). */
  readonly dim: number;
}
