import { OnnxGraphError } from '../errors.js';

/** A node on a path from a differentiated value to the loss has an op without a gradient rule. */
export class UnsupportedGradientOpError extends OnnxGraphError {
  constructor(
    readonly nodeName: string,
    readonly opType: string,
    readonly domain: string,
    readonly supported: readonly string[],
  ) {
    super(
      `autodiff: node '${nodeName}' (op ${domain === '' ? '' : `${domain}.`}${opType}) lies between a differentiated ` +
        `value and the loss, and ${opType} has no gradient rule. Supported ops: ${supported.join(', ')}. ` +
        `Add a rule in packages/onnx-graph/src/autodiff/rules/ or stop differentiating through this node.`,
    );
  }
}

/** The loss / wrt request does not fit the graph (unknown value, loss not reachable, old opset, ...). */
export class GradientGraphError extends OnnxGraphError {}
