import type { GradRule } from '../rule.js';

// Binary arithmetic with numpy broadcasting: each input's gradient is reduced to its shape.

/** Add: da = g, db = g (reduced to each input's shape). */
export const add: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [a, b] = [inputs[0]!, inputs[1]!];
  return [needs(0) ? e.reduceTo(g, a, [b]) : undefined, needs(1) ? e.reduceTo(g, b, [a]) : undefined];
};

/** Sub: da = g, db = −g. */
export const sub: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [a, b] = [inputs[0]!, inputs[1]!];
  return [needs(0) ? e.reduceTo(g, a, [b]) : undefined, needs(1) ? e.reduceTo(e.op1('Neg', [g]), b, [a]) : undefined];
};

/** Mul: da = g·b, db = g·a. */
export const mul: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [a, b] = [inputs[0]!, inputs[1]!];
  return [needs(0) ? e.reduceTo(e.mul(g, b), a, [b]) : undefined, needs(1) ? e.reduceTo(e.mul(g, a), b, [a]) : undefined];
};

/** Div (y = a / b): da = g / b, db = −g·y / b. */
export const div: GradRule = ({ e, inputs, outputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [a, b] = [inputs[0]!, inputs[1]!];
  return [
    needs(0) ? e.reduceTo(e.op1('Div', [g, b]), a, [b]) : undefined,
    needs(1) ? e.reduceTo(e.op1('Neg', [e.op1('Div', [e.mul(g, outputs[0]!), b])]), b, [a]) : undefined,
  ];
};

/** Neg: dx = −g. */
export const neg: GradRule = ({ e, gradOut }) => [e.op1('Neg', [gradOut(0)!])];

/** Pow (y = x^p): dx = g·p·x^(p−1); dp = g·y·ln x (only when the exponent is differentiated). */
export const pow: GradRule = ({ e, inputs, outputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [x, p] = [inputs[0]!, inputs[1]!];
  let dx: string | undefined;
  if (needs(0)) {
    const pc = e.op1('CastLike', [p, x]);
    const pw = e.op1('Pow', [x, e.op1('Sub', [pc, e.scalar(1, x)])]);
    dx = e.reduceTo(e.mul(g, e.mul(pc, pw)), x, [p]);
  }
  const dp = needs(1)
    ? e.reduceTo(e.op1('CastLike', [e.mul(e.mul(g, outputs[0]!), e.op1('Log', [x])), p]), p, [x])
    : undefined;
  return [dx, dp];
};

/** Where(c, a, b): da = Where(c, g, 0), db = Where(c, 0, g); the condition gets none. */
export const where: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const c = inputs[0]!;
  const zero = e.scalar(0, g);
  return [
    undefined,
    needs(1) ? e.reduceTo(e.op1('Where', [c, g, zero]), inputs[1]!, [c, inputs[2]!]) : undefined,
    needs(2) ? e.reduceTo(e.op1('Where', [c, zero, g]), inputs[2]!, [c, inputs[1]!]) : undefined,
  ];
};
