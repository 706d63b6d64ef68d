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
 * Tile (y = x repeated rᵢ times along axis i): y viewed as [r₀, d₀, r₁, d₁, …] holds one copy of
 * x per repeat index, so dx sums g over the even axes of that view (Reshape to the interleaved
 * sizes read at run time, ReduceSum); the repeats input gets none.
 */
export const tile: GradRule = ({ e, inputs, gradOut }) => {
  const [x, repeats] = [inputs[0]!, inputs[1]!];
  const sx = e.shape(x);
  const column = (v: string) => e.op1('Unsqueeze', [v, e.int64s([1])]);
  const pairs = e.op1('Concat', [column(repeats), column(sx)], { axis: 1 });
  const blocks = e.op1('Reshape', [gradOut(0)!, e.op1('Reshape', [pairs, e.int64s([-1])])]);
  const rank = e.op1('Size', [sx]);
  const repeatAxes = e.op1('Range', [
    e.op1('Constant', [], { value_int: 0 }),
    e.op1('Mul', [rank, e.op1('Constant', [], { value_int: 2 })]),
    e.op1('Constant', [], { value_int: 2 }),
  ]);
  return [e.op1('ReduceSum', [blocks, repeatAxes], { keepdims: 0 }), undefined];
};

/** Trilu: dx = g with the same triangle kept (same k and upper); k gets none. */
export const trilu: GradRule = ({ e, inputs, gradOut, int }) => [
  e.op1('Trilu', [gradOut(0)!, ...inputs.slice(1)], { upper: int('upper', 1) }),
  undefined,
];
