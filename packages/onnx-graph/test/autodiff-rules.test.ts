import { describe, expect, it } from 'vitest';
import { awayFromZero, checkGradients, type InputSpec, node, positive, type Problem } from './autodiff-support.js';

// Every rule against central finite differences of loss = Σ y·r (r fixed random), in float64
// (h = 1e-6; the error measure is |analytic − numeric| / (1 + |numeric|)). The loss itself goes
// through Mul and ReduceSum, so those two rules are exercised by every case.
const TOL64 = 1e-6;
const maxErrors: Record<string, number> = {};

async function expectGradient(label: string, problem: Problem, wrt: string[], tol = TOL64, h?: number): Promise<void> {
  const { maxError } = await checkGradients(problem, wrt, h === undefined ? {} : { h });
  maxErrors[label] = maxError;
  expect(maxError, label).toBeLessThan(tol);
}

/** `y = op(a, b)` with `a`, `b` of the given (possibly symbolic) dims and `run` dims for symbolic ones. */
function binary(op: string, a: (number | string)[], b: (number | string)[], y: number[], run?: { a?: number[]; b?: number[] }, bData?: InputSpec['data']): Problem {
  return {
    inputs: {
      a: { dims: a, ...(run?.a ? { run: run.a } : {}) },
      b: { dims: b, ...(run?.b ? { run: run.b } : {}), ...(bData ? { data: bData } : {}) },
    },
    nodes: [node(op, ['a', 'b'], ['y'])],
    y: 'y',
    yDims: y,
  };
}

const unary = (op: string, dims: number[], data?: InputSpec['data'], attributes?: Record<string, number | number[]>): Problem => ({
  inputs: { x: { dims, ...(data ? { data } : {}) } },
  nodes: [node(op, ['x'], ['y'], attributes)],
  y: 'y',
  yDims: dims,
});

describe('elementwise binary rules (float64, with broadcasting)', () => {
  it('Add: same shapes, broadcast both ways, symbolic dims', async () => {
    await expectGradient('Add same', binary('Add', [2, 3], [2, 3], [2, 3]), ['a', 'b']);
    await expectGradient('Add broadcast', binary('Add', [2, 3, 4], [3, 1], [2, 3, 4]), ['a', 'b']);
    await expectGradient('Add symbolic', binary('Add', ['batch', 3, 1], [1, 'n'], [2, 3, 4], { a: [2, 3, 1], b: [1, 4] }), ['a', 'b']);
  });
  it('Sub', async () => {
    await expectGradient('Sub', binary('Sub', [2, 3], [3], [2, 3]), ['a', 'b']);
  });
  it('Mul', async () => {
    await expectGradient('Mul', binary('Mul', [2, 1, 4], [3, 1], [2, 3, 4]), ['a', 'b']);
  });
  it('Div', async () => {
    await expectGradient('Div', binary('Div', [2, 3], [2, 1], [2, 3], undefined, positive), ['a', 'b']);
  });
  it('Pow (constant and differentiated exponent)', async () => {
    const p: Problem = {
      inputs: { a: { dims: [2, 3], data: positive }, b: { dims: [3] } },
      nodes: [node('Pow', ['a', 'b'], ['y'])],
      y: 'y',
      yDims: [2, 3],
    };
    await expectGradient('Pow', p, ['a', 'b']);
    await expectGradient('Pow exponent const', p, ['a']);
  });
  it('Where (condition gets no gradient)', async () => {
    const p: Problem = {
      inputs: { c: { dims: [2, 3] }, a: { dims: [2, 3] }, b: { dims: [3] } },
      nodes: [node('Constant', [], ['zero'], { value_float: { kind: 'float', value: 0 } }), node('CastLike', ['zero', 'c'], ['z']), node('Greater', ['c', 'z'], ['cond']), node('Where', ['cond', 'a', 'b'], ['y'])],
      y: 'y',
      yDims: [2, 3],
    };
    await expectGradient('Where', p, ['a', 'b']);
  });
});

describe('unary rules (float64)', () => {
  const cases: [string, InputSpec['data'] | undefined][] = [
    ['Neg', undefined],
    ['Identity', undefined],
    ['Sigmoid', undefined],
    ['Tanh', undefined],
    ['Exp', undefined],
    ['Log', positive],
    ['Sqrt', positive],
    ['Relu', awayFromZero],
    ['Sin', undefined],
    ['Cos', undefined],
  ];
  for (const [op, data] of cases) {
    it(op, async () => {
      await expectGradient(op, unary(op, [2, 3], data), ['x']);
    });
  }
  it('Erf (float32: onnxruntime has no float64 Erf kernel)', async () => {
    // float32 with h = 1e-2: the central difference's truncation error (h²·f'''/6 ≈ 2e-5) and float32
    // rounding of the loss (~1e-7 / h = 1e-5) bound the error near 1e-4; 1e-3 leaves margin.
    await expectGradient('Erf (float32)', { ...unary('Erf', [2, 3]), precision: 'float' }, ['x'], 1e-3);
  });
  it('Cast (double → float → double; h = 1e-3 because of the float32 rounding inside)', async () => {
    const p: Problem = {
      inputs: { x: { dims: [2, 3] } },
      nodes: [node('Cast', ['x'], ['f'], { to: 1 }), node('Cast', ['f'], ['y'], { to: 11 })],
      y: 'y',
      yDims: [2, 3],
    };
    await expectGradient('Cast', p, ['x'], 1e-3, 1e-3);
  });
});

describe('matrix rules (float64)', () => {
  it('MatMul: 2-D, batched, broadcast batch, 1-D operands', async () => {
    await expectGradient('MatMul 2-D', binary('MatMul', [3, 4], [4, 5], [3, 5]), ['a', 'b']);
    await expectGradient('MatMul batched', binary('MatMul', [2, 3, 4], [2, 4, 5], [2, 3, 5]), ['a', 'b']);
    await expectGradient('MatMul broadcast', binary('MatMul', [2, 1, 3, 4], [3, 4, 2], [2, 3, 3, 2]), ['a', 'b']);
    await expectGradient('MatMul shared weight', binary('MatMul', [2, 3, 4], [4, 5], [2, 3, 5]), ['a', 'b']);
    await expectGradient('MatMul 1-D a', binary('MatMul', [4], [2, 4, 5], [2, 5]), ['a', 'b']);
    await expectGradient('MatMul 1-D b', binary('MatMul', [2, 3, 4], [4], [2, 3]), ['a', 'b']);
  });
  for (const [transA, transB] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    it(`Gemm transA=${transA} transB=${transB} with broadcast C`, async () => {
      const p: Problem = {
        inputs: { a: { dims: transA ? [4, 3] : [3, 4] }, b: { dims: transB ? [5, 4] : [4, 5] }, c: { dims: [5] } },
        nodes: [node('Gemm', ['a', 'b', 'c'], ['y'], { transA, transB, alpha: 0.7, beta: 1.3 })],
        y: 'y',
        yDims: [3, 5],
      };
      await expectGradient(`Gemm ${transA}${transB}`, p, ['a', 'b', 'c']);
    });
  }
});

describe('shape and indexing rules (float64)', () => {
  const one = (label: string, dims: number[], nodes: Problem['nodes'], yDims: number[], extra: Problem['inputs'] = {}) =>
    it(label, async () => {
      await expectGradient(label, { inputs: { x: { dims }, ...extra }, nodes, y: 'y', yDims }, ['x']);
    });
  one('Reshape', [2, 6], [node('Constant', [], ['s'], { value_ints: [3, -1] }), node('Reshape', ['x', 's'], ['y'])], [3, 4]);
  one('Transpose', [2, 3, 4], [node('Transpose', ['x'], ['y'], { perm: [1, 2, 0] })], [3, 4, 2]);
  one('Transpose (no perm)', [2, 3, 4], [node('Transpose', ['x'], ['y'])], [4, 3, 2]);
  one('Unsqueeze', [2, 3], [node('Constant', [], ['ax'], { value_ints: [0, 2] }), node('Unsqueeze', ['x', 'ax'], ['y'])], [1, 2, 1, 3]);
  one('Squeeze', [2, 1, 3], [node('Constant', [], ['ax'], { value_ints: [1] }), node('Squeeze', ['x', 'ax'], ['y'])], [2, 3]);
  one('Flatten', [2, 3, 2], [node('Flatten', ['x'], ['y'], { axis: 1 })], [2, 6]);
  one('Expand', [3, 1], [node('Constant', [], ['s'], { value_ints: [2, 3, 4] }), node('Expand', ['x', 's'], ['y'])], [2, 3, 4]);
  one('Slice (steps, negative)', [4, 6], [
    node('Constant', [], ['st'], { value_ints: [1, -1] }),
    node('Constant', [], ['en'], { value_ints: [4, 0] }),
    node('Constant', [], ['ax'], { value_ints: [0, 1] }),
    node('Constant', [], ['sp'], { value_ints: [2, -2] }),
    node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y']),
  ], [2, 3]);
  one('Gather axis 0, repeated indices (summed)', [4, 3], [
    node('Constant', [], ['idx'], { value_ints: [2, 0, 2] }),
    node('Gather', ['x', 'idx'], ['y'], { axis: 0 }),
  ], [3, 3]);
  one('Gather axis 1, 2-D indices (graph input)', [2, 4], [node('Gather', ['x', 'idx'], ['y'], { axis: 1 })], [2, 2, 2], {
    idx: { dims: [2, 2], type: 'int64', data: () => [3, 1, 1, 0] },
  });
  one('Split (one output unused)', [2, 5], [
    node('Constant', [], ['sz'], { value_ints: [2, 3] }),
    node('Split', ['x', 'sz'], ['y', 'unused'], { axis: 1 }),
  ], [2, 2]);
  it('Concat (three inputs, one not differentiated)', async () => {
    const p: Problem = {
      inputs: { a: { dims: [2, 1] }, b: { dims: [2, 3] }, c: { dims: [2, 2] } },
      nodes: [node('Concat', ['a', 'b', 'c'], ['y'], { axis: -1 })],
      y: 'y',
      yDims: [2, 6],
    };
    await expectGradient('Concat', p, ['a', 'c']);
  });
});

describe('reductions and softmax (float64)', () => {
  const one = (label: string, dims: number[], nodes: Problem['nodes'], yDims: number[], opset?: number) =>
    it(label, async () => {
      await expectGradient(label, { inputs: { x: { dims } }, nodes, y: 'y', yDims, ...(opset ? { opset } : {}) }, ['x']);
    });
  one('Softmax axis -1', [2, 3, 4], [node('Softmax', ['x'], ['y'])], [2, 3, 4]);
  one('Softmax axis 1', [2, 3, 4], [node('Softmax', ['x'], ['y'], { axis: 1 })], [2, 3, 4]);
  one('ReduceSum keepdims 0', [2, 3, 4], [
    node('Constant', [], ['ax'], { value_ints: [1] }),
    node('ReduceSum', ['x', 'ax'], ['y'], { keepdims: 0 }),
  ], [2, 4]);
  one('ReduceMean axes [0, 2] keepdims', [2, 3, 4], [node('ReduceMean', ['x'], ['y'], { axes: [0, -1] })], [1, 3, 1]);
  one('ReduceMean all, keepdims 0', [2, 3], [node('ReduceMean', ['x'], ['y'], { keepdims: 0 })], []);
  one('ReduceMean opset 18 (axes input)', [2, 3, 4], [
    node('Constant', [], ['ax'], { value_ints: [1] }),
    node('ReduceMean', ['x', 'ax'], ['y'], { keepdims: 0 }),
  ], [2, 4], 18);
});

describe('tolerances reached', () => {
  it('prints the largest error of each rule', () => {
    console.log(Object.entries(maxErrors).map(([k, v]) => `${k}: ${v.toExponential(1)}`).join('\n'));
  });
});
