import type { GradContext, GradRule } from '../rule.js';

/** The axes of a Reduce* node as a value ('' = all axes), from its attribute or its second input. */
function axesOf(ctx: GradContext): string {
  const attrAxes = ctx.ints('axes');
  if (attrAxes !== undefined) return ctx.e.int64s(attrAxes);
  return ctx.inputs[1] ?? '';
}

/** g of a Reduce* output broadcast back to the input's shape (keepdims restored first). */
function spread(ctx: GradContext): string {
  const { e, inputs } = ctx;
  const axes = axesOf(ctx);
  let g = ctx.gradOut(0)!;
  if (ctx.int('keepdims', 1) === 0 && axes !== '') g = e.op1('Unsqueeze', [g, axes]);
  return e.op1('Expand', [g, e.shape(inputs[0]!)]);
}

/**
 * ReduceSum: dx = g broadcast back over the reduced axes (also exact for noop_with_empty_axes with
 * empty axes, where g already has x's shape).
 */
export const reduceSum: GradRule = (ctx) => {
  return [spread(ctx), undefined];
};

/** ReduceMean: dx = g broadcast back, divided by the number of reduced elements (Size(x) / Size(y)). */
export const reduceMean: GradRule = (ctx) => {
  const { e, inputs, outputs } = ctx;
  const count = e.op1('Div', [e.op1('Size', [inputs[0]!]), e.op1('Size', [outputs[0]!])]);
  const spreadG = spread(ctx);
  return [e.op1('Div', [spreadG, e.op1('CastLike', [count, spreadG])]), undefined];
};

/**
 * ReduceMax / ReduceMin: g goes to the elements equal to the result, shared equally between ties
 * within a reduced group: dx = g·[x = y] / Σ_group [x = y] (keepdims restored first).
 */
export const reduceExtremum: GradRule = (ctx) => {
  const { e, inputs, outputs } = ctx;
  const x = inputs[0]!;
  const axes = axesOf(ctx);
  const kept = (v: string) => (ctx.int('keepdims', 1) === 0 && axes !== '' ? e.op1('Unsqueeze', [v, axes]) : v);
  const chosen = e.op1('CastLike', [e.op1('Equal', [x, kept(outputs[0]!)]), x]);
  const ties = e.op1('ReduceSum', [chosen, ...(axes === '' ? [] : [axes])], {
    keepdims: 1,
    noop_with_empty_axes: ctx.int('noop_with_empty_axes', 0),
  });
  return [e.mul(chosen, e.op1('Div', [kept(ctx.gradOut(0)!), ties])), undefined];
};

/**
 * CumSum: each input element is summed into itself and every later output (earlier, when
 * reverse), so dx is the cumulative sum of g running the other way, with the same exclusive flag;
 * the axis input gets none.
 */
export const cumSum: GradRule = ({ e, inputs, gradOut, int }) => [
  e.op1('CumSum', [gradOut(0)!, inputs[1]!], { exclusive: int('exclusive', 0), reverse: int('reverse', 0) === 0 ? 1 : 0 }),
  undefined,
];

/** Softmax (opset ≥ 13, one axis): dx = y·(g − Σ_axis g·y). */
export const softmax: GradRule = ({ e, outputs, gradOut, int }) => {
  const y = outputs[0]!;
  const g = gradOut(0)!;
  const dot = e.op1('ReduceSum', [e.mul(g, y), e.int64s([int('axis', -1)])], { keepdims: 1 });
  return [e.mul(y, e.op1('Sub', [g, dot]))];
};
