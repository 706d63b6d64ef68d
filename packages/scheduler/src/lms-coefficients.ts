/**
 * Coefficients of the linear multistep (LMS) update on the sigma axis, as k-diffusion's `sample_lms`
 * and diffusers' `LMSDiscreteScheduler` define them: the weight of the derivative stored at node
 * σ_{i−j} is the integral over [σ_i, σ_{i+1}] of the Lagrange basis polynomial that is 1 at σ_{i−j}
 * and 0 at the other nodes σ_i, …, σ_{i−order+1}.
 *
 * diffusers integrates with scipy's adaptive `quad`. The integrand is a polynomial of degree
 * order − 1 (≤ 3 for the default order 4), and an n-point Gauss–Legendre rule integrates every
 * polynomial of degree ≤ 2n − 1 exactly, so the 4-point rule below gives the exact integral (up to
 * double rounding) for any order up to 8, with no adaptivity and no tolerance to tune.
 */

/** The largest order whose basis polynomials the 4-point rule integrates exactly (degree 7 = 2·4 − 1). */
export const MAX_LMS_ORDER = 8;

// Closed forms of the 4-point rule on [−1, 1]: nodes ±sqrt(3/7 ∓ (2/7)·sqrt(6/5)), weights (18 ± sqrt(30))/36.
const INNER_NODE = Math.sqrt(3 / 7 - (2 / 7) * Math.sqrt(6 / 5));
const OUTER_NODE = Math.sqrt(3 / 7 + (2 / 7) * Math.sqrt(6 / 5));
const INNER_WEIGHT = (18 + Math.sqrt(30)) / 36;
const OUTER_WEIGHT = (18 - Math.sqrt(30)) / 36;
const NODES = [-OUTER_NODE, -INNER_NODE, INNER_NODE, OUTER_NODE] as const;
const WEIGHTS = [OUTER_WEIGHT, INNER_WEIGHT, INNER_WEIGHT, OUTER_WEIGHT] as const;

/**
 * Writes into `out[0 .. order)` the LMS coefficients for the step from `sigmas[index]` to
 * `sigmas[index + 1]`; `out[j]` multiplies the derivative taken at `sigmas[index − j]` (j = 0 is the
 * current step). Needs `order ≤ index + 1` (the history must exist) and `order ≤ MAX_LMS_ORDER`.
 */
export function lmsCoefficients(sigmas: ArrayLike<number>, index: number, order: number, out: Float64Array): void {
  const from = sigmas[index]!;
  const to = sigmas[index + 1]!;
  const halfWidth = (to - from) / 2;
  const midpoint = (to + from) / 2;
  for (let j = 0; j < order; j++) {
    let integral = 0;
    for (let q = 0; q < NODES.length; q++) {
      const tau = midpoint + halfWidth * NODES[q]!;
      integral += WEIGHTS[q]! * lagrangeBasis(sigmas, index, order, j, tau);
    }
    out[j] = integral * halfWidth;
  }
}

/** ∏_{k ≠ j} (τ − σ_{i−k}) / (σ_{i−j} − σ_{i−k}) over k < order. */
function lagrangeBasis(sigmas: ArrayLike<number>, index: number, order: number, j: number, tau: number): number {
  const node = sigmas[index - j]!;
  let product = 1;
  for (let k = 0; k < order; k++) {
    if (k === j) continue;
    const other = sigmas[index - k]!;
    product *= (tau - other) / (node - other);
  }
  return product;
}
