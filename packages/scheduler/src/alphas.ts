/**
 * ᾱ_t = ∏_{s≤t} (1 − β_s), as float32 values the way torch computes `torch.cumprod(1.0 - betas)`:
 * each 1 − β rounded to float32, the running product kept in float64 (torch's CPU accumulator type
 * for float32) and each partial product rounded to float32.
 */
export function alphasCumprod(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) {
    product *= Math.fround(1 - betas[i]!);
    out[i] = product;
  }
  return out;
}
