/**
 * The few NumPy float64 routines diffusers builds its timesteps and sigmas with, reproduced to the
 * last bit (JavaScript numbers are IEEE float64 like NumPy's default dtype).
 */

/** `np.round` on a scalar: round half to even (banker's rounding), unlike `Math.round`. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `np.arange(start, stop, step)` for floats: length ceil((stop − start)/step), element i computed
 * as start + i·δ where δ = (start + step) − start, which can differ from `step` in the last bit.
 */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length === 0) return [];
  const delta = start + step - start;
  const out = [start];
  if (length > 1) out.push(start + step);
  for (let i = 2; i < length; i++) out.push(start + i * delta);
  return out;
}

/** `np.linspace(start, stop, num)` (endpoint included): start + i·((stop − start)/(num − 1)), last = stop. */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * `np.interp(x, xp, fp)` for strictly increasing `xp`: linear interpolation between the
 * neighbouring points, exact at the knots, clamped to the end values outside the range.
 */
export function numpyInterp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const last = xp.length - 1;
  if (x <= xp[0]!) return fp[0]!;
  if (x >= xp[last]!) return fp[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid;
  }
  if (xp[lo] === x) return fp[lo]!;
  const slope = (fp[lo + 1]! - fp[lo]!) / (xp[lo + 1]! - xp[lo]!);
  return slope * (x - xp[lo]!) + fp[lo]!;
}
