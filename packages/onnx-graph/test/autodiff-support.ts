// Helpers for the autodiff tests: hand-built DOUBLE / FLOAT graphs, onnxruntime runs, and central
// finite differences of the loss against the gradients buildGradientGraph emits.
import { create, toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { toAttributeProtos, type Attributes } from '../src/builder/attributes.js';
import {
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType,
  GraphProtoSchema,
  type TensorProto,
} from '../src/gen/onnx_pb.js';
import { tensorValueInfo } from '../src/shape-info.js';
import { buildGradientGraph, gradientOutputName, type RecomputeMode } from '../src/autodiff/index.js';

export type Precision = 'double' | 'float';

export interface InputSpec {
  dims: (number | string)[];
  /** Runtime dims (for symbolic ones); defaults to `dims`. */
  run?: number[];
  /** Value generator (default: uniform in [−1, 1) from the seeded generator). */
  data?: (rng: () => number, n: number) => number[];
  /** Element type other than the precision (e.g. int64 indices, bool conditions). */
  type?: 'int64' | 'bool';
}

export function node(opType: string, input: string[], output: string[], attributes?: Attributes): NodeProto {
  return create(NodeProtoSchema, {
    name: `/${opType}_${output[0]}`,
    opType,
    input,
    output,
    attribute: toAttributeProtos(attributes),
  });
}

/** A seeded uniform generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export interface Problem {
  precision?: Precision;
  inputs: Record<string, InputSpec>;
  nodes: NodeProto[];
  /** The forward value y the loss reads: loss = Σ y·r with a fixed random r of y's shape. */
  y: string;
  yDims: number[];
  initializers?: TensorProto[];
  opset?: number;
  /** A ready forward model (with inputs `inputs` + `r` and a scalar output `loss`) instead of `nodes`. */
  model?: ModelProto;
}

const elemType = (p: Precision) => (p === 'double' ? TensorProto_DataType.DOUBLE : TensorProto_DataType.FLOAT);

/** The forward model: inputs + r, loss = ReduceSum(y·r) (scalar). */
export function forwardModel(problem: Problem): ModelProto {
  if (problem.model !== undefined) return problem.model;
  const precision = problem.precision ?? 'double';
  const inputs = Object.entries(problem.inputs).map(([name, spec]) =>
    tensorValueInfo(
      name,
      spec.type === 'int64' ? TensorProto_DataType.INT64 : spec.type === 'bool' ? TensorProto_DataType.BOOL : elemType(precision),
      spec.dims,
    ),
  );
  inputs.push(tensorValueInfo('r', elemType(precision), problem.yDims));
  const nodes = [
    ...problem.nodes,
    node('Mul', [problem.y, 'r'], ['weighted']),
    node('ReduceSum', ['weighted'], ['loss'], { keepdims: 0 }),
  ];
  const graph = create(GraphProtoSchema, {
    name: 'problem',
    node: nodes,
    input: inputs,
    output: [tensorValueInfo('loss', elemType(precision), [])],
    initializer: problem.initializers ?? [],
  });
  return create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(problem.opset ?? 17) })],
    graph,
  });
}

function tensorFor(precision: Precision, spec: InputSpec | undefined, dims: number[], values: number[]): ort.Tensor {
  if (spec?.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
  if (spec?.type === 'bool') return new ort.Tensor('bool', Uint8Array.from(values), dims);
  return precision === 'double'
    ? new ort.Tensor('float64', Float64Array.from(values), dims)
    : new ort.Tensor('float32', Float32Array.from(values), dims);
}

async function session(model: ModelProto): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(toBinary(ModelProtoSchema, model), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  });
}

export interface CheckResult {
  /** Largest |analytic − numeric| / (1 + |numeric|) over all checked elements and wrt values. */
  maxError: number;
  gradModel: ModelProto;
}

/**
 * Builds the gradient graph for `wrt`, runs it, and compares every gradient element with the
 * central difference (f(x + h) − f(x − h)) / 2h of the forward model's loss.
 */
export async function checkGradients(
  problem: Problem,
  wrt: string[],
  options: { h?: number; seed?: number; recompute?: RecomputeMode } = {},
): Promise<CheckResult> {
  const precision = problem.precision ?? 'double';
  const h = options.h ?? (precision === 'double' ? 1e-6 : 1e-2);
  const random = rng(options.seed ?? 7);
  const values: Record<string, number[]> = {};
  const dimsOf: Record<string, number[]> = {};
  for (const [name, spec] of Object.entries(problem.inputs)) {
    const dims = spec.run ?? (spec.dims as number[]);
    const n = dims.reduce((a, b) => a * b, 1);
    dimsOf[name] = dims;
    values[name] = spec.data ? spec.data(random, n) : Array.from({ length: n }, () => 2 * random() - 1);
  }
  const rCount = problem.yDims.reduce((a, b) => a * b, 1);
  values['r'] = Array.from({ length: rCount }, () => 2 * random() - 1);
  dimsOf['r'] = problem.yDims;
  const feeds = (override?: [string, number[]]): Record<string, ort.Tensor> => {
    const out: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(values)) {
      const v = override !== undefined && override[0] === name ? override[1] : values[name]!;
      out[name] = tensorFor(precision, problem.inputs[name], dimsOf[name]!, v);
    }
    return out;
  };

  const forward = forwardModel(problem);
  const gradModel = buildGradientGraph(forward, { loss: 'loss', wrt, ...(options.recompute ? { recompute: options.recompute } : {}) });
  const fwd = await session(forward);
  const bwd = await session(gradModel);
  try {
    const analytic = await bwd.run(feeds());
    const lossOf = async (name: string, v: number[]) => Number((await fwd.run(feeds([name, v])))['loss']!.data[0]);
    let maxError = 0;
    for (const w of wrt) {
      const g = analytic[gradientOutputName(w)]!;
      if (g.dims.join() !== dimsOf[w]!.join()) throw new Error(`grad of ${w} has dims [${g.dims}], expected [${dimsOf[w]}]`);
      const base = values[w]!;
      for (let i = 0; i < base.length; i++) {
        const plus = [...base];
        plus[i] = base[i]! + h;
        const minus = [...base];
        minus[i] = base[i]! - h;
        const numeric = ((await lossOf(w, plus)) - (await lossOf(w, minus))) / (2 * h);
        const err = Math.abs(Number(g.data[i]) - numeric) / (1 + Math.abs(numeric));
        if (!(err <= maxError)) maxError = Number.isNaN(err) ? Infinity : Math.max(maxError, err);
      }
    }
    return { maxError, gradModel };
  } finally {
    await fwd.release();
    await bwd.release();
  }
}

/** Positive values away from zero (for Log, Sqrt, Pow, divisors). */
export const positive = (random: () => number, n: number) => Array.from({ length: n }, () => 0.5 + random());
/** Values away from zero on both sides (for Relu's kink). */
export const awayFromZero = (random: () => number, n: number) =>
  Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1) * (0.2 + random()));
