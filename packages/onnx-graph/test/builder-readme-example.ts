import { GraphBuilder, type ModelProto, type Value } from '@perfusion/onnx-graph';

/**
 * A two-layer MLP, `y = fc2(gelu(fc1(x)))`, named the way torch.onnx.export names it (nodes
 * `/fc1/MatMul`, `/act/Erf`, …; transposed Linear weights `onnx::MatMul_1`, …). The same code
 * builds the fp32 and the fp16 model: `parameter` stores weights in the builder's dtype.
 */
export function buildMlp(dtype: 'float32' | 'float16', width: number, fc1: Float32Array, fc2: Float32Array): ModelProto {
  const b = new GraphBuilder({ name: 'mlp', dtype });
  const x = b.input('x', dtype, ['batch', width]);
  const linear = (module: string, input: Value, weightT: Float32Array): Value =>
    b.scope(module, () => b.matMul(input, b.parameter(b.anonymousName('MatMul'), [width, width], weightT)));
  const projected = linear('fc1', x, fc1);
  const hidden = b.scope('act', () => b.gelu(projected));
  b.output(linear('fc2', hidden, fc2), 'y', dtype, ['batch', width]);
  return b.build(); // throws if any node reads a value nothing produces
}
