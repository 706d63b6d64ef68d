/**
 * PNDM's visiting order, built from the ascending spaced timesteps `base` (b_0 < … < b_{n−1}) the way
 * diffusers' `PNDMScheduler.set_timesteps` builds it.
 */

/**
 * PLMS only (skip_prk_steps): every timestep from the top down, with the second one visited twice —
 * diffusers warms the linear multistep method up with a second-order (Heun-like) step that
 * evaluates the model at the second timestep twice. SD-1.5 at 10 steps: 901, 801, 801, 701, …, 1.
 */
export function plmsOnlyTimesteps(base: readonly number[]): number[] {
  const n = base.length;
  const withRepeat = [...base.slice(0, n - 1), ...base.slice(Math.max(0, n - 2), n - 1), ...base.slice(n - 1)];
  return withRepeat.reverse();
}

/**
 * Pseudo Runge–Kutta warm-up then PLMS (skip_prk_steps false): three RK4-like steps over the top
 * four timesteps, each evaluating the model at the start, twice at the midpoint (+⌊⌊N/n⌋/2⌋) and at
 * the end (12 evaluations), then PLMS over the remaining timesteps.
 */
export function prkTimesteps(base: readonly number[], numTrainTimesteps: number): { prk: number[]; plms: number[] } {
  const n = base.length;
  const half = Math.floor(Math.floor(numTrainTimesteps / n) / 2);
  const top = base.slice(Math.max(0, n - 4));
  const withMidpoints = top.flatMap((t) => [t, t + half]).slice(0, -1);
  const doubled = withMidpoints.flatMap((t) => [t, t]).slice(1, -1);
  return { prk: doubled.reverse(), plms: base.slice(0, Math.max(0, n - 3)).reverse() };
}
