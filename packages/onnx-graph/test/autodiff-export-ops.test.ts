import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { TensorProto_DataType, TensorProtoSchema } from '../src/gen/onnx_pb.js';
import { awayFromZero, checkGradients, node, type Problem } from './autodiff-support.js';

// Rules for ops of the text encoder and VAE exports (CLIP's pooled GatherND, the VAE encoder's Pad,
// clamps, elementwise and reduced extrema, Tile, Trilu, CumSum) against central finite differences
// of loss = Σ y·r in float64 (h = 1e-6; error |analytic − numeric| / (1 + |numeric|), as in
// autodiff-rules.test.ts).
const TOL64 = 1e-6;
const maxErrors: Record<string, number> = {};

async function expectGradient(label: string, problem: Problem, wrt: string[]): Promise<void> {
  const { maxError } = await checkGradients(problem, wrt);
  maxErrors[label] = maxError;
  expect(maxError, label).toBeLessThan(TOL64);
}

const ints = (name: string, values: number[]) => node('Constant', [], [name], { value_ints: values });
const double = (name: string, value: number) =>
  node('Constant', [], [name], { value: create(TensorProtoSchema, { dataType: TensorProto_DataType.DOUBLE, doubleData: [value] }) });

/** `y = op(x, …)` with x of the given dims plus extra nodes / inputs. */
function problem(dims: number[], nodes: Problem['nodes'], yDims: number[], extra: Problem['inputs'] = {}, opset?: number): Problem {
  return { inputs: { x: { dims }, ...extra }, nodes, y: 'y', yDims, ...(opset === undefined ? {} : { opset }) };
}

describe('Pad', () => {
  it('constant mode, with the fill value differentiated', async () => {
    const nodes = [ints('pads', [0, 1, 2, 0, 2, 1]), node('Pad', ['x', 'pads', 'c'], ['y'])];
    await expectGradient('Pad constant', problem([2, 3, 4], nodes, [2, 6, 7], { c: { dims: [] } }), ['x', 'c']);
  });
  it('constant mode with negative pads (cropping) and the default fill', async () => {
    const nodes = [ints('pads', [0, -1, 1, 0, 0, -2]), node('Pad', ['x', 'pads'], ['y'])];
    await expectGradient('Pad negative', problem([2, 3, 4], nodes, [2, 2, 3]), ['x']);
  });
  it('opset 18 axes input (pads for the listed axes only)', async () => {
    const nodes = [ints('pads', [0, 0, 1, 1]), ints('axes', [2, 3]), node('Pad', ['x', 'pads', '', 'axes'], ['y'])];
    await expectGradient('Pad axes', problem([1, 2, 3, 3], nodes, [1, 2, 4, 4], {}, 18), ['x']);
  });
  for (const [mode, pads, yDims] of [
    ['reflect', [0, 2, 1, 0, 1, 3], [2, 6, 8]],
    ['edge', [1, 0, 2, 0, 3, 1], [3, 6, 7]],
  ] as const) {
    it(`${mode} mode (input elements copied several times)`, async () => {
      const nodes = [ints('pads', [...pads]), node('Pad', ['x', 'pads'], ['y'], { mode })];
      await expectGradient(`Pad ${mode}`, problem([2, 3, 4], nodes, [...yDims]), ['x']);
    });
  }
  it('wrap mode (opset 19)', async () => {
    const nodes = [ints('pads', [0, 1, 2, 0, 2, 1]), node('Pad', ['x', 'pads'], ['y'], { mode: 'wrap' })];
    await expectGradient('Pad wrap', problem([2, 3, 4], nodes, [2, 6, 7], {}, 19), ['x']);
  });
});

describe('GatherND', () => {
  it("CLIP's pooled output: [batch, sequence, width] at (b, argmax) pairs", async () => {
    const p = problem([2, 5, 3], [node('GatherND', ['x', 'idx'], ['y'])], [2, 3], {
      idx: { dims: [2, 2], type: 'int64', data: () => [0, 4, 1, 2] },
    });
    await expectGradient('GatherND pooled', p, ['x']);
  });
  it('repeated and negative indices (summed), partial index tuples', async () => {
    const p = problem([3, 4, 2], [node('GatherND', ['x', 'idx'], ['y'])], [3, 2], {
      idx: { dims: [3, 2], type: 'int64', data: () => [0, 1, 2, -1, 0, 1] },
    });
    await expectGradient('GatherND repeated', p, ['x']);
  });
  it('batch_dims 1', async () => {
    const p = problem([2, 3, 4], [node('GatherND', ['x', 'idx'], ['y'], { batch_dims: 1 })], [2, 2, 4], {
      idx: { dims: [2, 2, 1], type: 'int64', data: () => [2, 0, 1, 1] },
    });
    await expectGradient('GatherND batch_dims', p, ['x']);
  });
});

describe('Tile, Trilu, CumSum', () => {
  it('Tile', async () => {
    await expectGradient('Tile', problem([2, 1, 3], [ints('reps', [2, 3, 2]), node('Tile', ['x', 'reps'], ['y'])], [4, 3, 6]), ['x']);
  });
  it('Trilu lower with k = 1, and upper with no k', async () => {
    const k = node('Constant', [], ['k'], { value_int: 1 });
    await expectGradient('Trilu lower k', problem([2, 3, 4], [k, node('Trilu', ['x', 'k'], ['y'], { upper: 0 })], [2, 3, 4]), ['x']);
    await expectGradient('Trilu upper', problem([3, 4], [node('Trilu', ['x'], ['y'])], [3, 4]), ['x']);
  });
  for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    it(`CumSum exclusive=${exclusive} reverse=${reverse}`, async () => {
      const nodes = [node('Constant', [], ['axis'], { value_int: 1 }), node('CumSum', ['x', 'axis'], ['y'], { exclusive, reverse })];
      await expectGradient(`CumSum ${exclusive}${reverse}`, problem([2, 4, 3], nodes, [2, 4, 3]), ['x']);
    });
  }
});

/** Values in [−1, 1) except elements 0 and 1, both `extreme` (an exact two-way tie for the row's max or min). */
const tiedAt = (extreme: number) => (random: () => number, n: number) => {
  const values = Array.from({ length: n }, () => 2 * random() - 1);
  values[0] = values[1] = extreme;
  return values;
};

describe('selection: Clip, Max, Min, Abs, ReduceMax, ReduceMin', () => {
  it('Clip with constant bounds', async () => {
    const nodes = [double('lo', -0.5), double('hi', 0.3), node('Clip', ['x', 'lo', 'hi'], ['y'])];
    await expectGradient('Clip constant bounds', problem([3, 4], nodes, [3, 4]), ['x']);
  });
  it('Clip with differentiated bounds, and with only a maximum', async () => {
    const bounds = { lo: { dims: [], data: () => [-0.4] }, hi: { dims: [], data: () => [0.5] } } satisfies Problem['inputs'];
    await expectGradient('Clip bounds', problem([3, 4], [node('Clip', ['x', 'lo', 'hi'], ['y'])], [3, 4], bounds), ['x', 'lo', 'hi']);
    await expectGradient('Clip max only', problem([3, 4], [node('Clip', ['x', '', 'hi'], ['y'])], [3, 4], { hi: bounds.hi }), ['x', 'hi']);
  });
  for (const op of ['Max', 'Min']) {
    it(`${op}: broadcasting, three inputs, one input`, async () => {
      const broadcast = problem([2, 3, 4], [node(op, ['x', 'b'], ['y'])], [2, 3, 4], { b: { dims: [3, 1] } });
      await expectGradient(`${op} broadcast`, broadcast, ['x', 'b']);
      const three = problem([2, 3], [node(op, ['x', 'b', 'c'], ['y'])], [2, 3], { b: { dims: [3] }, c: { dims: [2, 1] } });
      await expectGradient(`${op} three`, three, ['x', 'b', 'c']);
      await expectGradient(`${op} one`, problem([2, 3], [node(op, ['x'], ['y'])], [2, 3]), ['x']);
    });
    // At a two-way tie the central difference is exactly ½ for each side ((h − 0) / 2h); the rule
    // shares g equally, so it matches there too, and y = op(x, x) = x gets dx = g, not 2g.
    it(`${op} with ties: op(x, x) and equal elements of two inputs`, async () => {
      await expectGradient(`${op}(x, x)`, problem([2, 3], [node(op, ['x', 'x'], ['y'])], [2, 3]), ['x']);
      const p: Problem = {
        inputs: {
          a: { dims: [2, 3], data: () => [0.1, -0.5, 0.7, 0.2, -0.3, 0.9] },
          b: { dims: [2, 3], data: () => [0.1, 0.4, -0.2, 0.2, 0.6, -0.8] }, // ties at elements 0 and 3
        },
        nodes: [node(op, ['a', 'b'], ['y'])],
        y: 'y',
        yDims: [2, 3],
      };
      await expectGradient(`${op} tied elements`, p, ['a', 'b']);
    });
  }
  it('Abs', async () => {
    const p = problem([2, 3], [node('Abs', ['x'], ['y'])], [2, 3]);
    await expectGradient('Abs', { ...p, inputs: { x: { dims: [2, 3], data: awayFromZero } } }, ['x']);
  });
  for (const op of ['ReduceMax', 'ReduceMin']) {
    it(`${op}: axes attribute keepdims 0, all axes, opset-18 axes input, a tie`, async () => {
      await expectGradient(`${op} axis 1`, problem([2, 3, 4], [node(op, ['x'], ['y'], { axes: [1], keepdims: 0 })], [2, 4]), ['x']);
      await expectGradient(`${op} all`, problem([2, 3], [node(op, ['x'], ['y'])], [1, 1]), ['x']);
      const axesInput = [ints('ax', [0, -1]), node(op, ['x', 'ax'], ['y'], { keepdims: 0 })];
      await expectGradient(`${op} opset 18`, problem([2, 3, 4], axesInput, [3], {}, 18), ['x']);
      const tie = problem([2, 3], [node(op, ['x'], ['y'], { axes: [1] })], [2, 1]);
      await expectGradient(`${op} tie`, { ...tie, inputs: { x: { dims: [2, 3], data: tiedAt(op === 'ReduceMax' ? 2 : -2) } } }, ['x']);
    });
  }
});

describe('tolerances reached', () => {
  it('prints the largest error of each rule', () => {
    console.log(Object.entries(maxErrors).map(([k, v]) => `${k}: ${v.toExponential(1)}`).join('\n'));
  });
});
