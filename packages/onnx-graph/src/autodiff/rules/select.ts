import type { GradRule } from '../rule.js';

// Piecewise ops whose output is one of their inputs at each element: g goes to the chosen one.

/**
 * Clip (min and max optional inputs): dx = g where min ≤ x ≤ max (bounds included, as torch's
 * clamp), else 0; d min = Σ g where x < min, d max = Σ g where x > max (each reduced to the bound's
 * shape).
 */
export const clip: GradRule = ({ e, inputs, gradOut, needs }) => {
  const g = gradOut(0)!;
  const [x, lo, hi] = [inputs[0]!, inputs[1] ?? '', inputs[2] ?? ''];
  const zero = e.scalar(0, g);
  const where = (cond: string, bound: string) => e.reduceTo(e.op1('Where', [cond, g, zero]), bound);
  const below = lo === '' ? undefined : e.op1('Less', [x, lo]);
  const above = hi === '' ? undefined : e.op1('Greater', [x, hi]);
  const outside = below !== undefined && above !== undefined ? e.op1('Or', [below, above]) : (below ?? above);
  const dx = outside === undefined ? g : e.op1('Where', [outside, zero, g]);
  return [
    dx,
    below !== undefined && needs(1) ? where(below, lo) : undefined,
    above !== undefined && needs(2) ? where(above, hi) : undefined,
  ];
};

/**
 * Max / Min (any number of inputs, broadcasting): each input equal to the output gets g divided by
 * the number of inputs equal to it there (ties share, as torch's maximum / minimum do), reduced to
 * the input's shape.
 */
export const extremum: GradRule = (ctx) => {
  const { e, inputs, outputs, gradOut, needs } = ctx;
  const g = gradOut(0)!;
  const y = outputs[0]!;
  if (inputs.length === 1) return [g];
  const chosen = inputs.map((x) => e.op1('CastLike', [e.op1('Equal', [x, y]), g]));
  const ties = chosen.slice(1).reduce((sum, c) => e.add(sum, c), chosen[0]!);
  const share = e.op1('Div', [g, ties]);
  return inputs.map((x, i) => (needs(i) ? e.reduceTo(e.mul(share, chosen[i]!), x, inputs.filter((_, k) => k !== i)) : undefined));
};
