import { create } from '@bufbuild/protobuf';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../src/index.js';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  tensorToProto,
  tensorValueInfo,
} from '../../src/index.js';
import { Rng, Tensor } from '@perfusion/tensor-core';

/** A NodeProto, named `name`. */
export function node(opType: string, input: string[], output: string[], name = output[0] ?? opType): NodeProto {
  return create(NodeProtoSchema, { opType, input, output, name });
}

/** A graph from nodes; inputs/outputs are float32 of the given dims. */
export function graph(
  nodes: NodeProto[],
  inputs: Record<string, (number | string)[]>,
  outputs: Record<string, (number | string)[]>,
  initializer: TensorProto[] = [],
): GraphProto {
  return create(GraphProtoSchema, {
    name: 'test',
    node: nodes,
    initializer,
    input: Object.entries(inputs).map(([name, dims]) => tensorValueInfo(name, 'float32', dims)),
    output: Object.entries(outputs).map(([name, dims]) => tensorValueInfo(name, 'float32', dims)),
  });
}

/** A model (IR 8, opset 17) around a graph. */
export function model(g: GraphProto): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'onnx-graph tests',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 17n })],
    graph: g,
  });
}

/** Seeded float32 weights. */
export function weights(seed: number, shape: number[]): Tensor<'float32'> {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  new Rng(seed).fillUniform(data, -1, 1);
  return new Tensor('float32', data, shape);
}

/**
 * y = relu(x·W1 + b) · W2 with x [1, n], W1 [n, h], W2 [h, m]: a small model whose output a test
 * can compute itself ({@link mlpReference}) to check what onnxruntime returns.
 */
export function mlpModel(n: number, h: number, m: number): { model: ModelProto; w1: Tensor<'float32'>; b: Tensor<'float32'>; w2: Tensor<'float32'> } {
  const w1 = weights(1, [n, h]);
  const b = weights(2, [h]);
  const w2 = weights(3, [h, m]);
  const g = graph(
    [
      node('MatMul', ['x', 'w1'], ['xw1'], 'fc1/MatMul'),
      node('Add', ['xw1', 'b'], ['pre'], 'fc1/Add'),
      node('Relu', ['pre'], ['act'], 'act/Relu'),
      node('MatMul', ['act', 'w2'], ['y'], 'fc2/MatMul'),
    ],
    { x: [1, n] },
    { y: [1, m] },
    [tensorToProto('w1', w1), tensorToProto('b', b), tensorToProto('w2', w2)],
  );
  return { model: model(g), w1, b, w2 };
}

/** What {@link mlpModel} computes, evaluated in plain JS (float64 accumulation). */
export function mlpReference(
  x: Float32Array,
  w: { w1: Tensor<'float32'>; b: Tensor<'float32'>; w2: Tensor<'float32'> },
): { act: Float32Array; y: Float32Array } {
  const [n, h] = w.w1.shape as [number, number];
  const m = w.w2.shape[1]!;
  const act = new Float32Array(h);
  for (let j = 0; j < h; j++) {
    let s = w.b.data[j]!;
    for (let i = 0; i < n; i++) s += x[i]! * w.w1.data[i * h + j]!;
    act[j] = Math.max(0, s);
  }
  const y = new Float32Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let j = 0; j < h; j++) s += act[j]! * w.w2.data[j * m + k]!;
    y[k] = s;
  }
  return { act, y };
}
