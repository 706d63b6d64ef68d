import { dot, type FloatArray } from './checks.js';
import type { ConceptDirection } from './concept-direction.js';
import { EmptyConceptListError, KeyLockArgumentError, KeyLockDimensionError } from './errors.js';
import { checkGateParameters, sigmoid, type GateParameters } from './gate.js';
import { projectionBasis, type MultiConceptMode, type ProjectionBasis } from './projection-basis.js';

/** One concept at generation time: its direction (i*, C⁻¹i*) and its live gate parameters. */
export interface GatedConcept extends GateParameters {
  readonly direction: ConceptDirection;
}

/** Options of {@link coefficients}. */
export interface CoefficientOptions {
  /** `'sum'` (default, the paper's approximation) or `'exact'` (appendix B). */
  readonly multiConcept?: MultiConceptMode;
  /**
   * A basis from {@link projectionBasis} for these concepts' directions (same objects, same order,
   * same mode), to skip rebuilding it; it must be the one the layer rows were built with.
   */
  readonly basis?: ProjectionBasis;
}

/**
 * The coefficient matrix [S | G] for every token of every prompt: `encodings` is [B, T, d] (any
 * number of token rows), the result [B, T, 2M] with M = concepts.length. Column j < M holds
 * S_j(e) = e · s_j (sum mode: sim_j(e); exact mode: eᵀ C⁻¹ q_j), column M + k holds
 * G_k(e) = sigmoid((sim_k(e) − β_k) / τ_k). With the rows of {@link layerRows}, a projection becomes
 * out(e) = e·W + [S | G](e) · rows.
 */
export function coefficients(encodings: FloatArray, concepts: readonly GatedConcept[], options: CoefficientOptions = {}): Float32Array {
  const m = concepts.length;
  if (m === 0) throw new EmptyConceptListError('coefficients(concepts)');
  const directions = concepts.map((c) => c.direction);
  const basis = resolveBasis('coefficients', directions, options);
  const d = directions[0]!.dim;
  concepts.forEach((concept, k) => checkGateParameters(concept, describeConcept('coefficients', k, concept.direction)));
  if (encodings.length % d !== 0) {
    throw new KeyLockDimensionError(
      'coefficients(encodings)',
      'd',
      d,
      encodings.length,
      `encodings must be [B, T, d = ${d}] (length a multiple of d); the length given is ${encodings.length}.`,
    );
  }
  const rows = encodings.length / d;
  const out = new Float32Array(rows * 2 * m);
  const simVectors = directions.map((c) => c.simVector);
  const sVectors = basis.coefficientVectors;
  const sameS = basis.mode === 'sum';
  for (let r = 0; r < rows; r++) {
    const offset = r * d;
    const outRow = r * 2 * m;
    for (let k = 0; k < m; k++) {
      const sim = dot(encodings, simVectors[k]!, offset);
      out[outRow + m + k] = sigmoid((sim - concepts[k]!.beta) / concepts[k]!.tau);
      out[outRow + k] = sameS ? sim : dot(encodings, sVectors[k]!, offset);
    }
  }
  return out;
}

/** The basis given in `options` (checked against `directions`) or a new one. */
export function resolveBasis(where: string, directions: readonly ConceptDirection[], options: CoefficientOptions): ProjectionBasis {
  const mode = options.multiConcept ?? options.basis?.mode ?? 'sum';
  const basis = options.basis;
  if (basis === undefined) return projectionBasis(directions, mode);
  const matches =
    basis.mode === mode && basis.directions.length === directions.length && basis.directions.every((c, k) => c === directions[k]);
  if (!matches) {
    throw new KeyLockArgumentError(
      `${where}(options.basis)`,
      `the basis was built for ${basis.directions.length} concept(s) in '${basis.mode}' mode, not for these ${directions.length} ` +
        `in '${mode}' mode; build it with projectionBasis(directions, mode) from the same directions in the same order.`,
    );
  }
  return basis;
}

export function describeConcept(where: string, index: number, direction: ConceptDirection): string {
  return `${where}(concepts[${index}]${direction.name === undefined ? '' : ` '${direction.name}'`})`;
}
