import type { ConceptFile } from '@perfusion/concept-format';
import {
  conceptDirection,
  globalLocking,
  keyRows,
  projectionBasis,
  valueRows,
  type ConceptDirection,
  type CovarianceInverse,
  type MultiConceptMode,
  type ProjectionBasis,
} from '@perfusion/key-lock';
import type { LayerRows, LayerWeights } from '@perfusion/unet';

/**
 * What a set of concepts needs in every UNet call, whatever the prompt, β and τ: the concepts'
 * directions (i*, C⁻¹i*), the projection basis of the multi-concept mode, and every layer's K and V
 * row stacks `[2M, width]`. Built once per set of concepts (and mode), then reused: changing β, τ or
 * the prompt recomputes only the coefficients.
 */
export interface ConceptRowSet {
  readonly basis: ProjectionBasis;
  readonly layerRows: ReadonlyMap<string, LayerRows>;
}

/** key-lock's `conceptDirection` for a concept's i*, labelled with its token. */
export function directionOf(concept: ConceptFile, inverse: CovarianceInverse): ConceptDirection {
  return conceptDirection(concept.inputEncoding, inverse, concept.token);
}

/**
 * The rows of every layer for `concepts` (with their `directions`, same order):
 * K rows `[−(p_j·W_K) ; i_super,k·W_K]` (key locking), V rows `[−(p_j·W_V) ; o*_V,k]`; with
 * `globalLock`, K rows are zero (the K projections see the supercategory prompt, unedited).
 */
export function buildRowSet(
  concepts: readonly ConceptFile[],
  directions: readonly ConceptDirection[],
  weights: readonly LayerWeights[],
  mode: MultiConceptMode,
  globalLock: boolean,
): ConceptRowSet {
  const basis = projectionBasis(directions, mode);
  const options = { basis };
  const layerRows = new Map<string, LayerRows>();
  for (const layer of weights) {
    const weightK = { ...layer.k, name: `${layer.key}/to_k` };
    const weightV = { ...layer.v, name: `${layer.key}/to_v` };
    const targets = concepts.map((concept) => concept.valueTargets.find((t) => t.layer === layer.key)!.target);
    layerRows.set(layer.key, {
      k: globalLock
        ? globalLocking.keyRows(weightK, directions[0]!.dim, concepts.length)
        : keyRows(weightK, directions, concepts.map((c) => c.superEncoding), options),
      v: valueRows(weightV, directions, targets, options),
    });
  }
  return { basis, layerRows };
}
