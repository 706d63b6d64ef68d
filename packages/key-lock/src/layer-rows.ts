import { checkFinite, type FloatArray } from './checks.js';
import { resolveBasis, type CoefficientOptions } from './coefficients.js';
import type { ConceptDirection } from './concept-direction.js';
import { EmptyConceptListError, KeyLockArgumentError, KeyLockDimensionError } from './errors.js';

/**
 * A cross-attention K or V projection: the MatMul weight W, row-major [d, width], so that the
 * projection of a token encoding e (a row vector) is e · W.
 */
export interface ProjectionWeight {
  readonly data: FloatArray;
  /** The projection's output width (320, 640 or 1280 in SD 1.5). */
  readonly width: number;
  /** The layer, for error messages (e.g. '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_k'). */
  readonly name?: string;
}

/** x · W for x of length d (float64 result, length width). */
export function project(x: FloatArray, weight: ProjectionWeight, where = 'project'): Float64Array {
  const d = checkWeight(where, weight, x.length);
  const width = weight.width;
  const w = weight.data;
  const out = new Float64Array(width);
  for (let i = 0; i < d; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * width;
    for (let c = 0; c < width; c++) out[c] += xi * w[row + c]!;
  }
  return out;
}

/**
 * W · g for g of length width (float64 result, length d): the transpose of {@link project}. It carries
 * a gradient back through a projection: for y = x · W and a loss L with ∂L/∂y = g, ∂L/∂x = W · g
 * (∂L/∂x_i = Σ_c W[i, c] g_c). Training with unlocked keys uses it to move the key gradient onto i_super.
 */
export function projectTransposed(g: FloatArray, weight: ProjectionWeight, where = 'projectTransposed'): Float64Array {
  const d = checkWeight(where, weight, Math.floor(weight.data.length / weight.width));
  const width = weight.width;
  if (g.length !== width) {
    throw new KeyLockDimensionError(`${where}: gradient`, 'width', width, g.length, 'the gradient of a projection\'s output has one number per output channel of the layer.');
  }
  const w = weight.data;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const row = i * width;
    let sum = 0;
    for (let c = 0; c < width; c++) sum += w[row + c]! * g[c]!;
    out[i] = sum;
  }
  return out;
}

/**
 * Key locking: the target of a K projection is the key of the supercategory word,
 * o*_K = i_super · W_K, with i_super the encoding of the supercategory word in the concept's prompts.
 */
export function keyLockTarget(superEncoding: FloatArray, weightK: ProjectionWeight): Float32Array {
  checkFinite('keyLockTarget(superEncoding)', superEncoding);
  return Float32Array.from(project(superEncoding, weightK, 'keyLockTarget'));
}

/**
 * The [2M, width] row stack of one projection layer W_l for M concepts:
 * rows 0..M−1 are −(p_j · W_l) (sum mode p_j = i*_j; exact mode p_j = q_j, the C⁻¹-orthonormal
 * basis), rows M..2M−1 are the targets o*_{l,k}. With the coefficients [S | G] of the same concepts
 * (same order and mode), out(e) = e·W_l − Σ_j S_j(e) (p_j·W_l) + Σ_k G_k(e) o*_{l,k}.
 */
export function layerRows(
  weight: ProjectionWeight,
  directions: readonly ConceptDirection[],
  targets: readonly FloatArray[],
  options: CoefficientOptions = {},
): Float32Array {
  const where = `layerRows(${describeWeight(weight)})`;
  const m = directions.length;
  if (m === 0) throw new EmptyConceptListError(`${where}: directions`);
  if (targets.length !== m) {
    throw new KeyLockArgumentError(`${where}: targets`, `${targets.length} targets for ${m} concept(s); pass one target o* per concept, in the same order.`);
  }
  const basis = resolveBasis('layerRows', directions, options);
  checkWeight(where, weight, directions[0]!.dim);
  const width = weight.width;
  const rows = new Float32Array(2 * m * width);
  for (let j = 0; j < m; j++) {
    const removed = project(basis.removed[j]!, weight, where);
    for (let c = 0; c < width; c++) rows[j * width + c] = -removed[c]!;
  }
  targets.forEach((target, k) => {
    const name = directions[k]!.name;
    const argument = `${where}: targets[${k}]${name === undefined ? '' : ` ('${name}')`}`;
    if (target.length !== width) {
      throw new KeyLockDimensionError(argument, 'width', width, target.length, `a target o* has one number per output channel of the layer.`);
    }
    checkFinite(argument, target);
    rows.set(target, (m + k) * width);
  });
  return rows;
}

/** K rows of one layer: {@link layerRows} with the key-locking targets o*_K,k = i_super,k · W_K. */
export function keyRows(
  weightK: ProjectionWeight,
  directions: readonly ConceptDirection[],
  superEncodings: readonly FloatArray[],
  options: CoefficientOptions = {},
): Float32Array {
  if (superEncodings.length !== directions.length) {
    throw new KeyLockArgumentError(
      `keyRows(${describeWeight(weightK)}): superEncodings`,
      `${superEncodings.length} supercategory encodings for ${directions.length} concept(s); pass one i_super per concept.`,
    );
  }
  const targets = superEncodings.map((s) => keyLockTarget(s, weightK));
  return layerRows(weightK, directions, targets, options);
}

/** V rows of one layer: {@link layerRows} with the concepts' learned value targets o*_V for this layer. */
export function valueRows(
  weightV: ProjectionWeight,
  directions: readonly ConceptDirection[],
  valueTargets: readonly FloatArray[],
  options: CoefficientOptions = {},
): Float32Array {
  return layerRows(weightV, directions, valueTargets, options);
}

/** Checks W is [d, width] for the given d; returns d. */
export function checkWeight(where: string, weight: ProjectionWeight, d: number): number {
  const width = weight.width;
  if (!Number.isSafeInteger(width) || width < 1) {
    throw new KeyLockArgumentError(`${where}: width`, `${width} is not an integer >= 1.`);
  }
  if (weight.data.length !== d * width) {
    const label = `${where}: weight${weight.name === undefined ? '' : ` '${weight.name}'`}`;
    const actualD = weight.data.length / width;
    if (Number.isInteger(actualD)) {
      throw new KeyLockDimensionError(
        label,
        'd',
        d,
        actualD,
        `the weight is [${actualD}, ${width}] but the encodings have d = ${d}; use the layer's [d, width] MatMul initializer of the same model.`,
      );
    }
    throw new KeyLockDimensionError(
      label,
      'numbers',
      d * width,
      weight.data.length,
      `a [d = ${d}, width = ${width}] weight; check the width given with it.`,
    );
  }
  return d;
}

export function describeWeight(weight: ProjectionWeight): string {
  return weight.name === undefined ? 'weight' : `'${weight.name}'`;
}
