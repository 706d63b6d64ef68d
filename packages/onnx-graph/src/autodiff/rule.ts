import type { NodeProto } from '../gen/onnx_pb.js';
import type { GradEmitter } from './emitter.js';

/** What a gradient rule sees of one forward node. */
export interface GradContext {
  readonly node: NodeProto;
  readonly e: GradEmitter;
  /** Input names ('' for omitted optional inputs). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** The gradient flowing into output `i`, or undefined when none does (treat as zero). */
  gradOut(i: number): string | undefined;
  /** Whether input `i` needs a gradient (it depends on a differentiated value). */
  needs(i: number): boolean;
  /** An INT attribute (or `fallback`). */
  int(name: string, fallback: number): number;
  /** A FLOAT attribute (or `fallback`). */
  float(name: string, fallback: number): number;
  /** An INTS attribute, or undefined when absent. */
  ints(name: string): number[] | undefined;
  /** The model's default-domain opset. */
  readonly opset: number;
}

/**
 * A gradient rule: given the gradients of the node's outputs, emits nodes computing the
 * gradients of its inputs; returns one entry per input (undefined: no gradient / not needed).
 * Only called when at least one output has a gradient.
 */
export type GradRule = (ctx: GradContext) => (string | undefined)[];
