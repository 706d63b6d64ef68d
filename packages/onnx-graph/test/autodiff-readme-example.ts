import { buildGradientGraph, GraphBuilder, type ModelProto } from '@perfusion/onnx-graph';

/**
 * One training step's graph for a linear layer `y = x·W + b` fitted to `target` by least squares:
 * outputs `loss` (the mean squared error), `grad/W` and `grad/b`. W and b are graph inputs, so a
 * training loop feeds the current values each step and applies the gradients itself.
 */
export function linearRegressionStep(inFeatures: number, outFeatures: number): ModelProto {
  const b = new GraphBuilder({ name: 'linear-regression' });
  const x = b.input('x', 'float32', ['batch', inFeatures]);
  const target = b.input('target', 'float32', ['batch', outFeatures]);
  const weight = b.input('W', 'float32', [inFeatures, outFeatures]);
  const bias = b.input('b', 'float32', [outFeatures]);
  const error = b.sub(b.add(b.matMul(x, weight), bias), target);
  b.output(b.op('ReduceMean', [b.mul(error, error)], { keepdims: 0 })[0]!, 'loss', 'float32', []);
  return buildGradientGraph(b.build(), { loss: 'loss', wrt: ['W', 'b'] });
}
