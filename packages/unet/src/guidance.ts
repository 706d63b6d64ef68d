import { UnetArgumentError } from './errors.js';

/**
 * Classifier-free guidance as diffusers computes it, `uncond + g·(cond − uncond)`, element by
 * element in float32: each operation is rounded to float32 (and so is `g`), as torch does on
 * float32 tensors, so the result matches a PyTorch pipeline's bit for bit. Writes into `out`
 * (which may be `uncond` or `cond` itself) and returns it.
 */
export function applyGuidance(uncond: Float32Array, cond: Float32Array, guidanceScale: number, out: Float32Array): Float32Array {
  const n = out.length;
  if (uncond.length !== n || cond.length !== n) {
    throw new UnetArgumentError(`applyGuidance: lengths differ (uncond ${uncond.length}, cond ${cond.length}, out ${n}); pass arrays of one size.`);
  }
  const g = Math.fround(guidanceScale);
  for (let i = 0; i < n; i++) {
    const u = uncond[i]!;
    out[i] = u + Math.fround(g * Math.fround(cond[i]! - u));
  }
  return out;
}
