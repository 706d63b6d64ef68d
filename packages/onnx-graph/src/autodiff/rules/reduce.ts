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

/** Softmax (opset ≥ 13, one axis): dx = y·(g − Σ_axis g·y). */
export const softmax: GradRule = ({ e, outputs, gradOut, int }) => {
  const y = outputs[0]!;
  const g = gradOut(0)!;
  const dot = e.op1('ReduceSum', [e.mul(g, y), e.int64s([int('axis', -1)])], { keepdims: 1 });
  return [e.mul(y, e.op1('Sub', [g, dot]))];
};
