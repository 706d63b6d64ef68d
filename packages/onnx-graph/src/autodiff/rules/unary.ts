import type { GradRule } from '../rule.js';

// Elementwise one-input ops. y is the forward output, g its gradient.

/** Identity: dx = g. */
export const identity: GradRule = ({ gradOut }) => [gradOut(0)!];

/** Cast: dx = g cast back to x's dtype. */
export const cast: GradRule = ({ e, inputs, gradOut }) => [e.op1('CastLike', [gradOut(0)!, inputs[0]!])];

/** Sigmoid: dx = g·y·(1 − y). */
export const sigmoid: GradRule = ({ e, outputs, gradOut }) => {
  const y = outputs[0]!;
  return [e.mul(gradOut(0)!, e.mul(y, e.op1('Sub', [e.scalar(1, y), y])))];
};

/** Tanh: dx = g·(1 − y²). */
export const tanh: GradRule = ({ e, outputs, gradOut }) => {
  const y = outputs[0]!;
  return [e.mul(gradOut(0)!, e.op1('Sub', [e.scalar(1, y), e.mul(y, y)]))];
};

/** Exp: dx = g·y. */
export const exp: GradRule = ({ e, outputs, gradOut }) => [e.mul(gradOut(0)!, outputs[0]!)];

/** Log: dx = g / x. */
export const log: GradRule = ({ e, inputs, gradOut }) => [e.op1('Div', [gradOut(0)!, inputs[0]!])];

/** Sqrt: dx = g / (2y). */
export const sqrt: GradRule = ({ e, outputs, gradOut }) => {
  const y = outputs[0]!;
  return [e.op1('Div', [gradOut(0)!, e.mul(y, e.scalar(2, y))])];
};

/** Erf: dx = g·(2/√π)·exp(−x²). */
export const erf: GradRule = ({ e, inputs, gradOut }) => {
  const x = inputs[0]!;
  const expNegSq = e.op1('Exp', [e.op1('Neg', [e.mul(x, x)])]);
  return [e.mul(gradOut(0)!, e.mul(expNegSq, e.scalar(2 / Math.sqrt(Math.PI), x)))];
};

/** Relu: dx = g where x > 0, else 0. */
export const relu: GradRule = ({ e, inputs, gradOut }) => {
  const x = inputs[0]!;
  const g = gradOut(0)!;
  return [e.op1('Where', [e.op1('Greater', [x, e.scalar(0, x)]), g, e.scalar(0, g)])];
};

/** Sin: dx = g·cos x. */
export const sin: GradRule = ({ e, inputs, gradOut }) => [e.mul(gradOut(0)!, e.op1('Cos', [inputs[0]!]))];

/** Cos: dx = −g·sin x. */
export const cos: GradRule = ({ e, inputs, gradOut }) => [e.op1('Neg', [e.mul(gradOut(0)!, e.op1('Sin', [inputs[0]!]))])];

/** Abs: dx = g·sign(x) (0 at x = 0). */
export const abs: GradRule = ({ e, inputs, gradOut }) => [e.mul(gradOut(0)!, e.op1('Sign', [inputs[0]!]))];
