import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/builder/index.js';
import { TensorProto_DataLocation as DataLocation, TensorProto_DataType, TensorProtoSchema, StringStringEntryProtoSchema } from '../src/gen/onnx_pb.js';
import {
  buildGradientGraph,
  countRuntimeBroadcastSums,
  GradientGraphError,
  gradientOutputName,
  supportedGradientOps,
  UnsupportedGradientOpError,
} from '../src/index.js';
import { checkGradients, forwardModel, node, rng, type Problem } from './autodiff-support.js';

const TOL64 = 1e-6;
/** Tolerance of float32 checks (h = 1e-2): see the Erf case in autodiff-rules.test.ts. */
const TOL32 = 1e-3;
const maxErrors: Record<string, number> = {};
/** Runs the finite-difference check and records the largest error under the current test's name. */
async function check(label: string, problem: Problem, wrt: string[]): Promise<number> {
  const { maxError } = await checkGradients(problem, wrt);
  maxErrors[label] = maxError;
  return maxError;
}

function doubleInitializer(name: string, dims: number[], seed: number) {
  const random = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return create(TensorProtoSchema, {
    name,
    dataType: TensorProto_DataType.DOUBLE,
    dims: dims.map(BigInt),
    doubleData: Array.from({ length: n }, () => 2 * random() - 1),
  });
}

describe('LayerNormalization (float64)', () => {
  for (const axis of [-1, 1, -2]) {
    it(`axis ${axis}: x, scale and bias`, async () => {
      const normDims = axis === -1 ? [4] : [3, 4];
      const p: Problem = {
        inputs: { x: { dims: [2, 3, 4] }, s: { dims: normDims }, b: { dims: normDims } },
        nodes: [node('LayerNormalization', ['x', 's', 'b'], ['y'], { axis, epsilon: { kind: 'float', value: 1e-3 } })],
        y: 'y',
        yDims: [2, 3, 4],
      };
      const maxError = await check(`LayerNormalization axis ${axis}`, p, ['x', 's', 'b']);
      expect(maxError).toBeLessThan(TOL64);
    });
  }
  it('InstanceNormalization (float32: onnxruntime has no float64 kernel)', async () => {
    const p: Problem = {
      precision: 'float',
      inputs: { x: { dims: [2, 3, 2, 3] }, s: { dims: [3] }, b: { dims: [3] } },
      nodes: [node('InstanceNormalization', ['x', 's', 'b'], ['y'], { epsilon: { kind: 'float', value: 1e-3 } })],
      y: 'y',
      yDims: [2, 3, 2, 3],
    };
    const maxError = await check('InstanceNormalization (float32)', p, ['x', 's', 'b']);
    // float32, h = 1e-2: truncation (~h²·f'''/6) and rounding of the loss (~1e-7 / h) dominate.
    expect(maxError).toBeLessThan(TOL32);
  });

  it("torch's pre-17 decomposition (ReduceMean, Sub, Pow, Add, Sqrt, Div, Mul, Add)", async () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3, 4] }, s: { dims: [4] }, b: { dims: [4] } },
      nodes: [
        node('ReduceMean', ['x'], ['mu'], { axes: [-1] }),
        node('Sub', ['x', 'mu'], ['xc']),
        node('Constant', [], ['two'], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [2] }) }),
        node('Pow', ['xc', 'two'], ['sq']),
        node('ReduceMean', ['sq'], ['var'], { axes: [-1] }),
        node('Constant', [], ['eps'], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [1e-3] }) }),
        node('Add', ['var', 'eps'], ['ve']),
        node('Sqrt', ['ve'], ['sd']),
        node('Div', ['xc', 'sd'], ['xh']),
        node('Mul', ['xh', 's'], ['xs']),
        node('Add', ['xs', 'b'], ['y']),
      ],
      y: 'y',
      yDims: [2, 3, 4],
    };
    const maxError = await check('LayerNormalization decomposed', p, ['x', 's', 'b']);
    expect(maxError).toBeLessThan(TOL64);
  });
});

/** A tiny attention block: o = Softmax(x Wq (x Wk)ᵀ / 2) (x Wv) + x. */
function attention(weightsAsInitializers: boolean): Problem {
  const weights = ['wq', 'wk', 'wv'];
  return {
    inputs: {
      x: { dims: ['batch', 3, 4], run: [2, 3, 4] },
      ...(weightsAsInitializers ? {} : Object.fromEntries(weights.map((w) => [w, { dims: [4, 4] }]))),
    },
    initializers: weightsAsInitializers ? weights.map((w, i) => doubleInitializer(w, [4, 4], 11 + i)) : [],
    nodes: [
      node('MatMul', ['x', 'wq'], ['q']),
      node('MatMul', ['x', 'wk'], ['k']),
      node('MatMul', ['x', 'wv'], ['v']),
      node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
      node('MatMul', ['q', 'kt'], ['scores']),
      node('Constant', [], ['half'], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [0.5] }) }),
      node('Mul', ['scores', 'half'], ['scaled']),
      node('Softmax', ['scaled'], ['probs']),
      node('MatMul', ['probs', 'v'], ['o']),
      node('Add', ['o', 'x'], ['y']),
    ],
    y: 'y',
    yDims: [2, 3, 4],
  };
}

describe('countRuntimeBroadcastSums', () => {
  const product = (xShape: (number | string)[], aShape: (number | string)[]) => {
    const b = new GraphBuilder({ name: 'product' });
    const y = b.mul(b.input('x', 'float32', xShape), b.input('a', 'float32', aShape));
    // A reduction over fixed axes in the forward graph is not one the count is about.
    const rows = b.op('ReduceSum', [y, b.int64s([1])], { keepdims: 0 })[0]!;
    b.output(b.op('ReduceSum', [rows], { keepdims: 0 })[0]!, 'loss', 'float32', []);
    return buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x', 'a'] });
  };

  it('counts the sums whose axes the graph finds at run time, one per operand that may have been broadcast', () => {
    expect(countRuntimeBroadcastSums(product(['n', 'm'], ['p', 'q']))).toBe(2);
    expect(countRuntimeBroadcastSums(product([2, 4], [2, 4]))).toBe(0);
    expect(countRuntimeBroadcastSums(product([2, 4], [1, 4]))).toBe(1);
  });
});

describe('composite graphs', () => {
  it('a tiny attention block (MatMul → Softmax → MatMul → Add; x read four times), end to end', async () => {
    const maxError = await check('attention', attention(false), ['x', 'wq', 'wk', 'wv']);
    expect(maxError).toBeLessThan(TOL64);
  });

  it('a GraphBuilder MLP (float32: MatMul, exact GELU with Erf, which has no float64 kernel)', async () => {
    const b = new GraphBuilder({ name: 'mlp' });
    const random = rng(3);
    const weights = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
    const x = b.input('x', 'float32', ['batch', 4]);
    const r = b.input('r', 'float32', [2, 4]);
    const h = b.scope('fc1', () => b.matMul(x, b.parameter(b.anonymousName('MatMul'), [4, 4], weights(16))));
    const y = b.scope('fc2', () => b.matMul(b.gelu(h), b.parameter(b.anonymousName('MatMul'), [4, 4], weights(16))));
    b.output(b.op('ReduceSum', [b.mul(y, r)], { keepdims: 0 })[0]!, 'loss', 'float32', []);
    const p: Problem = { precision: 'float', model: b.build(), inputs: { x: { dims: [2, 4] } }, nodes: [], y: '', yDims: [2, 4] };
    // float32, h = 1e-2: truncation (~h²) and loss rounding (~1e-7/h) keep the error near 1e-4.
    const maxError = await check('GELU MLP (float32)', p, ['x']);
    expect(maxError).toBeLessThan(TOL32);
  });

  it("walks past shape computations and masks (torch's Shape → Gather → Concat → Reshape, Equal → Where)", async () => {
    const p: Problem = {
      inputs: { x: { dims: ['batch', 6] , run: [2, 6] } },
      nodes: [
        node('Shape', ['x'], ['sx']),
        node('Constant', [], ['zeroIdx'], { value_ints: [0] }),
        node('Gather', ['sx', 'zeroIdx'], ['batch'], { axis: 0 }),
        node('Constant', [], ['rest'], { value_ints: [3, 2] }),
        node('Concat', ['batch', 'rest'], ['newShape'], { axis: 0 }),
        node('Reshape', ['x', 'newShape'], ['r3']),
        node('Sigmoid', ['r3'], ['s']),
        node('Constant', [], ['half'], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [0.5] }) }),
        node('Greater', ['s', 'half'], ['mask']),
        node('Where', ['mask', 's', 'r3'], ['y']),
      ],
      y: 'y',
      yDims: [2, 3, 2],
    };
    const maxError = await check('shape computations and masks', p, ['x']);
    expect(maxError).toBeLessThan(TOL64);
  });

  it('differentiates an opset-14 graph (as torch.onnx exports diffusers) and raises its opset to 16', async () => {
    const p: Problem = {
      opset: 14,
      inputs: { table: { dims: [5, 4] }, x: { dims: [2, 4] } },
      nodes: [
        node('Constant', [], ['ids'], { value_ints: [3, 1, 3] }),
        node('Gather', ['table', 'ids'], ['emb']), // [3, 4], row 3 read twice
        node('Transpose', ['emb'], ['embT'], { perm: [1, 0] }),
        node('MatMul', ['x', 'embT'], ['logits']), // [2, 3]
        node('Softmax', ['logits'], ['y']),
      ],
      y: 'y',
      yDims: [2, 3],
    };
    const maxError = await check('opset 14 (Gather, MatMul, Softmax)', p, ['table', 'x']);
    expect(maxError).toBeLessThan(TOL64);
    const grad = buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['table'] });
    expect(grad.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 16n]]);
  });

  it('sums the gradients of a value read several times (y = x·x + exp(x) + x)', async () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3] } },
      nodes: [node('Mul', ['x', 'x'], ['sq']), node('Exp', ['x'], ['ex']), node('Add', ['sq', 'ex'], ['s']), node('Add', ['s', 'x'], ['y'])],
      y: 'y',
      yDims: [2, 3],
    };
    const maxError = await check('multi-use sum', p, ['x']);
    expect(maxError).toBeLessThan(TOL64);
  });
});

describe('only what the requested gradients need', () => {
  const count = (ops: string[], opType: string) => ops.filter((o) => o === opType).length;

  it("asking for the input's gradient emits no weight-gradient nodes", () => {
    const model = forwardModel(attention(true));
    const onlyX = buildGradientGraph(model, { loss: 'loss', wrt: ['x'] });
    const all = buildGradientGraph(model, { loss: 'loss', wrt: ['x', 'wq', 'wk', 'wv'] });
    expect(onlyX.graph!.output.map((o) => o.name)).toEqual(['loss', 'grad/x']);
    expect(all.graph!.output.map((o) => o.name)).toEqual(['loss', 'grad/x', 'grad/wq', 'grad/wk', 'grad/wv']);
    const opsX = onlyX.graph!.node.map((n) => n.opType);
    const opsAll = all.graph!.node.map((n) => n.opType);
    // 5 forward MatMuls; backward: x's gradient needs one MatMul per projection (3) and two per
    // attention MatMul (4); the weights' gradients add one per projection (3).
    expect(count(opsX, 'MatMul')).toBe(5 + 3 + 4);
    expect(count(opsAll, 'MatMul')).toBe(5 + 3 + 4 + 3);
    // No backward node reads a weight-gradient-only value: nothing reads x's transpose.
    const xReaders = onlyX.graph!.node.filter((n) => n.input.includes('x') && ['Transpose', 'Einsum'].includes(n.opType));
    expect(xReaders).toEqual([]);
  });

  it('differentiates nothing the loss does not depend on, and drops other outputs', () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3] }, u: { dims: [2, 3] } },
      nodes: [
        node('Atan', ['u'], ['su']), // unsupported, but on no path from x: fine
        node('Mul', ['x', 'su'], ['y']),
        node('Exp', ['x'], ['side']),
      ],
      y: 'y',
      yDims: [2, 3],
    };
    const model = forwardModel(p);
    model.graph!.output.push(...forwardModel({ ...p, y: 'side' }).graph!.output.filter((o) => o.name !== 'loss'));
    const grad = buildGradientGraph(model, { loss: 'loss', wrt: ['x'] });
    expect(grad.graph!.node.some((n) => n.opType === 'Exp')).toBe(false);
    expect(grad.graph!.node.filter((n) => n.opType === 'Atan')).toHaveLength(1); // forward only
  });

  it('gives a zero gradient for a value the loss does not depend on', async () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3] }, unused: { dims: [3] } },
      nodes: [node('Tanh', ['x'], ['y'])],
      y: 'y',
      yDims: [2, 3],
    };
    const maxError = await check('zero gradient', p, ['x', 'unused']);
    expect(maxError).toBeLessThan(TOL64);
  });
});

describe('model handling and errors', () => {
  it('keeps external initializers external, shared with the source model', () => {
    const model = forwardModel(attention(true));
    const external = create(TensorProtoSchema, {
      name: 'wq',
      dataType: TensorProto_DataType.DOUBLE,
      dims: [4n, 4n],
      dataLocation: DataLocation.EXTERNAL,
      externalData: [
        create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' }),
        create(StringStringEntryProtoSchema, { key: 'offset', value: '0' }),
        create(StringStringEntryProtoSchema, { key: 'length', value: '128' }),
      ],
    });
    model.graph!.initializer[0] = external;
    const grad = buildGradientGraph(model, { loss: 'loss', wrt: ['x', 'wq'] });
    const kept = grad.graph!.initializer.find((t) => t.name === 'wq');
    expect(kept).toBe(external);
    expect(kept!.dataLocation).toBe(DataLocation.EXTERNAL);
    expect(model.graph!.output.map((o) => o.name)).toEqual(['loss']); // the source is not modified
  });

  it('names the node and op of an unsupported op on a loss path, and lists the supported ops', () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3] } },
      nodes: [node('Atan', ['x'], ['s']), node('Tanh', ['s'], ['y'])],
      y: 'y',
      yDims: [2, 3],
    };
    const run = () => buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['x'] });
    expect(run).toThrow(UnsupportedGradientOpError);
    expect(run).toThrow(/node '\/Atan_s' \(op Atan\).*Supported ops: Abs, Add, .*MatMul/);
    try {
      run();
    } catch (e) {
      expect((e as UnsupportedGradientOpError).opType).toBe('Atan');
      expect((e as UnsupportedGradientOpError).supported).toEqual(supportedGradientOps());
    }
  });

  it('rejects unknown losses, non-input wrt values, non-scalar losses and old opsets', () => {
    const p: Problem = { inputs: { x: { dims: [2, 3] } }, nodes: [node('Tanh', ['x'], ['y'])], y: 'y', yDims: [2, 3] };
    const model = forwardModel(p);
    expect(() => buildGradientGraph(model, { loss: 'nope', wrt: ['x'] })).toThrow(/loss 'nope' is not a value/);
    expect(() => buildGradientGraph(model, { loss: 'loss', wrt: ['y'] })).toThrow(GradientGraphError);
    expect(() => buildGradientGraph(model, { loss: 'loss', wrt: ['x', 'x'] })).toThrow(/listed twice/);
    const withShape = forwardModel({ ...p });
    withShape.graph!.output[0] = forwardModel({ ...p }).graph!.input[0]!; // output 'x' [2, 3]
    expect(() => buildGradientGraph(withShape, { loss: 'x', wrt: ['x'] })).toThrow(/must be a scalar/);
    expect(() => buildGradientGraph(forwardModel({ ...p, opset: 12 }), { loss: 'loss', wrt: ['x'] })).toThrow(/opset ≥ 13/);
  });

  it('uses a custom prefix for gradient outputs', () => {
    const p: Problem = { inputs: { x: { dims: [2, 3] } }, nodes: [node('Exp', ['x'], ['y'])], y: 'y', yDims: [2, 3] };
    const grad = buildGradientGraph(forwardModel(p), { loss: 'loss', wrt: ['x'], gradPrefix: 'd_' });
    expect(grad.graph!.output.map((o) => o.name)).toEqual(['loss', 'd_x']);
    expect(gradientOutputName('x')).toBe('grad/x');
  });
});



describe('tolerances reached', () => {
  it('prints the largest error of each composite check', () => {
    console.log(Object.entries(maxErrors).map(([k, v]) => `${k}: ${v.toExponential(1)}`).join('\n'));
  });
});
