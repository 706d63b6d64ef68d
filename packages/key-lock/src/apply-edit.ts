import { type FloatArray } from './checks.js';
import { KeyLockDimensionError } from './errors.js';
import { checkWeight, describeWeight, type ProjectionWeight } from './layer-rows.js';

/**
 * What a patched projection computes, evaluated on the CPU in float64: for every token row e of
 * `encodings` ([B, T, d]), out(e) = e · W + c(e) · rows, with c(e) the row's 2M coefficients
 * ([B, T, 2M] from {@link coefficients}) and `rows` the layer's [2M, width] stack from
 * {@link layerRows}. Returns [B, T, width]. A reference for the UNet surgery and for tests; the
 * graph does the same with one extra MatMul per projection.
 */
export function editedProjection(encodings: FloatArray, weight: ProjectionWeight, coefficientMatrix: FloatArray, rows: FloatArray): Float32Array {
  const where = `editedProjection(${describeWeight(weight)})`;
  const width = weight.width;
  const twoM = rows.length / width;
  if (!Number.isInteger(twoM) || twoM % 2 !== 0) {
    throw new KeyLockDimensionError(`${where}: rows`, 'numbers', Math.max(2, 2 * Math.round(twoM / 2)) * width, rows.length, `a [2M, width = ${width}] row stack.`);
  }
  const tokens = twoM === 0 ? 0 : coefficientMatrix.length / twoM;
  if (twoM === 0 || !Number.isInteger(tokens)) {
    throw new KeyLockDimensionError(`${where}: coefficients`, 'numbers', twoM, coefficientMatrix.length, `[B, T, 2M = ${twoM}] coefficients (its length a multiple of 2M).`);
  }
  const d = encodings.length / tokens;
  if (!Number.isInteger(d)) {
    throw new KeyLockDimensionError(`${where}: encodings`, 'numbers', tokens * Math.round(d), encodings.length, `[B, T, d] encodings for the ${tokens} token rows of the coefficients.`);
  }
  checkWeight(where, weight, d);
  const w = weight.data;
  const out = new Float32Array(tokens * width);
  const acc = new Float64Array(width);
  for (let t = 0; t < tokens; t++) {
    acc.fill(0);
    for (let i = 0; i < d; i++) {
      const ei = encodings[t * d + i]!;
      if (ei === 0) continue;
      const row = i * width;
      for (let c = 0; c < width; c++) acc[c] += ei * w[row + c]!;
    }
    for (let j = 0; j < twoM; j++) {
      const cj = coefficientMatrix[t * twoM + j]!;
      if (cj === 0) continue;
      const row = j * width;
      for (let c = 0; c < width; c++) acc[c] += cj * rows[row + c]!;
    }
    out.set(acc, t * width);
  }
  return out;
}
