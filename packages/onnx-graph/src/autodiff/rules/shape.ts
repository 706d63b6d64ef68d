import type { GradRule } from '../rule.js';

// Ops that only move or relabel elements: the gradient is moved back the same way.

/** Reshape / Squeeze / Unsqueeze / Flatten: dx = Reshape(g, Shape(x)); the shape/axes inputs get none. */
export const reshapeLike: GradRule = ({ e, inputs, gradOut }) => [
  e.op1('Reshape', [gradOut(0)!, e.shape(inputs[0]!)]),
];

/** Transpose: dx = Transpose(g, inverse perm) (no perm: reversal, its own inverse). */
export const transpose: GradRule = ({ e, gradOut, ints }) => {
  const perm = ints('perm');
  if (perm === undefined) return [e.op1('Transpose', [gradOut(0)!])];
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [e.op1('Transpose', [gradOut(0)!], { perm: inverse })];
};

/** Expand: dx = g summed over the broadcast axes. */
export const expand: GradRule = ({ e, inputs, gradOut }) => [e.reduceTo(gradOut(0)!, inputs[0]!)];

/** Concat: g split along the axis at run-time sizes of the inputs. */
export const concat: GradRule = ({ e, inputs, gradOut, needs, int }) => {
  const axis = int('axis', 0);
  const sizes = inputs.map((x) => e.op1('Gather', [e.shape(x), e.int64s([axis])], { axis: 0 }));
  const parts = e.op('Split', [gradOut(0)!, e.op1('Concat', sizes, { axis: 0 })], { axis }, inputs.length);
  return parts.map((p, i) => (needs(i) ? p : undefined));
};

/** Split: dx = Concat of the outputs' gradients (zeros for outputs nothing differentiates). */
export const split: GradRule = ({ e, outputs, gradOut, int }) => {
  const parts = outputs.map((y, i) => gradOut(i) ?? e.zerosLike(y));
  return [e.op1('Concat', parts, { axis: int('axis', 0) })];
};

/**
 * Slice: the positions the slice read, found by slicing a tensor of flat element indices the same
 * way, receive g (ScatterElements into zeros); the other inputs get none.
 */
export const slice: GradRule = ({ e, inputs, gradOut }) => {
  const x = inputs[0]!;
  const picked = e.op1('Slice', [flatPositions(e, x), ...inputs.slice(1)]);
  return [scatterInto(e, x, picked, gradOut(0)!, 'none')];
};

/** Gather: g scattered (summed, for repeated indices) back into zeros at the gathered positions; indices get none. */
export const gather: GradRule = ({ e, inputs, gradOut, int }) => {
  const x = inputs[0]!;
  const picked = e.op1('Gather', [flatPositions(e, x), inputs[1]!], { axis: int('axis', 0) });
  return [scatterInto(e, x, picked, gradOut(0)!, 'add'), undefined];
};

type Emitter = Parameters<GradRule>[0]['e'];

/** int64 tensor with x's shape holding 0, 1, 2, … (each element's flat index). */
function flatPositions(e: Emitter, x: string): string {
  const count = e.op1('Size', [x]);
  const range = e.op1('Range', [e.op1('Constant', [], { value_int: 0 }), count, e.op1('Constant', [], { value_int: 1 })]);
  return e.op1('Reshape', [range, e.shape(x)]);
}

/** Zeros like x with g's elements written (or added) at flat positions `picked`. */
function scatterInto(e: Emitter, x: string, picked: string, g: string, reduction: 'none' | 'add'): string {
  const flat = e.int64s([-1]);
  const zeros = e.op1('Reshape', [e.zerosLike(x), flat]);
  const scattered = e.op1('ScatterElements', [zeros, e.op1('Reshape', [picked, flat]), e.op1('Reshape', [g, flat])], {
    axis: 0,
    ...(reduction === 'add' ? { reduction: 'add' } : {}),
  });
  return e.op1('Reshape', [scattered, e.shape(x)]);
}
