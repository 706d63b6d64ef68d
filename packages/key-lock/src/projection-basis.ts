import { dot } from './checks.js';
import type { ConceptDirection } from './concept-direction.js';
import { KeyLockArgumentError, KeyLockDimensionError } from './errors.js';

/**
 * How several concepts share one projection:
 * - `'sum'` — the paper's approximation: each concept removes its own rank-one part,
 *   e ↦ e − Σ_k sim_k(e) i*_k. Exact when the i*_k are C⁻¹-orthogonal to each other.
 * - `'exact'` — the paper's appendix B: e ↦ e − P e, P the C⁻¹-orthogonal projection on
 *   span{i*_k}, written with a C⁻¹-orthonormal basis q_1..q_M of that span:
 *   P e = Σ_j (eᵀ C⁻¹ q_j) q_j.
 * Gates use each concept's own sim_k in both forms.
 */
export type MultiConceptMode = 'sum' | 'exact';

/** The modes, for validation and CLI choices. */
export const MULTI_CONCEPT_MODES: readonly MultiConceptMode[] = Object.freeze(['sum', 'exact']);

/**
 * The "sim" half of the edit in a form shared by both modes: with M concepts the edit removes
 * Σ_j S_j(e) p_j from e, where S_j(e) = e · s_j. For `'sum'`, p_k = i*_k and s_k = u_k = C⁻¹i*_k / (i*_kᵀC⁻¹i*_k);
 * for `'exact'`, p_j = q_j and s_j = C⁻¹ q_j.
 */
export interface ProjectionBasis {
  readonly mode: MultiConceptMode;
  /** The directions it was built from, in order (M of them). */
  readonly directions: readonly ConceptDirection[];
  /** p_j (M vectors of length d): what is removed. In `'exact'` mode, a zero vector for a concept whose i* lies in the span of the earlier ones. */
  readonly removed: readonly Float64Array[];
  /** s_j (M vectors of length d): S_j(e) = e · s_j. */
  readonly coefficientVectors: readonly Float64Array[];
  /** Dimension of span{i*_k} as found (M unless some i* are linearly dependent; always M for `'sum'`). */
  readonly rank: number;
}

/**
 * An i* whose part C⁻¹-orthogonal to the earlier ones has a C⁻¹-norm below this fraction of its own
 * is treated as lying in their span (exact mode): its basis slot is zero.
 */
export const DEPENDENCE_TOLERANCE = 1e-6;

/** The vectors p_j, s_j of the edit for `directions` in `mode` (default `'sum'`). */
export function projectionBasis(directions: readonly ConceptDirection[], mode: MultiConceptMode = 'sum'): ProjectionBasis {
  if (mode !== 'sum' && mode !== 'exact') {
    throw new KeyLockArgumentError('multiConcept', `'${String(mode)}' is not a mode; use 'sum' (the paper's approximation, default) or 'exact' (appendix B).`);
  }
  const d = directions[0]?.dim ?? 0;
  directions.forEach((direction, k) => {
    if (direction.dim !== d) {
      throw new KeyLockDimensionError(`projectionBasis(directions[${k}])`, 'd', d, direction.dim, 'every concept must come from the same text encoder.');
    }
  });
  if (mode === 'sum') {
    return {
      mode,
      directions,
      removed: directions.map((c) => c.input),
      coefficientVectors: directions.map((c) => c.simVector),
      rank: directions.length,
    };
  }
  return exactBasis(directions);
}

/**
 * Modified Gram–Schmidt in the C⁻¹ inner product ⟨x, y⟩ = xᵀ C⁻¹ y, applied twice per vector
 * ("twice is enough" for orthogonality to working precision). Each vector x is carried with C⁻¹x:
 * both transform by the same linear combinations, so no further solves with C are needed.
 */
function exactBasis(directions: readonly ConceptDirection[]): ProjectionBasis {
  const d = directions[0]?.dim ?? 0;
  const qs: Float64Array[] = [];
  const ws: Float64Array[] = [];
  const accepted: number[] = [];
  let rank = 0;
  for (const direction of directions) {
    const x = direction.input.slice();
    const w = direction.cInvInput.slice();
    for (let pass = 0; pass < 2; pass++) {
      for (const j of accepted) {
        const c = dot(x, ws[j]!);
        const q = qs[j]!;
        const wj = ws[j]!;
        for (let i = 0; i < d; i++) {
          x[i] -= c * q[i]!;
          w[i] -= c * wj[i]!;
        }
      }
    }
    const norm2 = dot(x, w);
    if (norm2 > DEPENDENCE_TOLERANCE * DEPENDENCE_TOLERANCE * direction.energy) {
      const scale = 1 / Math.sqrt(norm2);
      for (let i = 0; i < d; i++) {
        x[i] *= scale;
        w[i] *= scale;
      }
      accepted.push(qs.length);
      rank++;
      qs.push(x);
      ws.push(w);
    } else {
      qs.push(new Float64Array(d));
      ws.push(new Float64Array(d));
    }
  }
  return { mode: 'exact', directions, removed: qs, coefficientVectors: ws, rank };
}
