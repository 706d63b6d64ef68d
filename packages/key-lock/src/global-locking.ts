import { checkCount, type FloatArray } from './checks.js';
import { coefficients } from './coefficients.js';
import { EmptyConceptListError, KeyLockArgumentError, KeyLockDimensionError } from './errors.js';
import { checkWeight, describeWeight, valueRows, type ProjectionWeight } from './layer-rows.js';

/**
 * "Global" key locking, the paper's inference variant: the K projections see the prompt with each
 * concept token replaced by its supercategory word, and the V projections see the concept prompt.
 *
 * - K path: K = W_K e_super for every token of the supercategory prompt, with **no** rank-one edit.
 *   Every key — the concept position's (the supercategory word's own key in this prompt, which is
 *   what local locking's o*_K = i_super · W_K approximates) and those of the other words, which the
 *   text encoder computed while attending to the concept token — is the key the supercategory
 *   prompt would give. The K edit is therefore zero: {@link keyCoefficients} are zeros (for a
 *   surgery with separate K coefficients) and {@link keyRows} are zeros (for a surgery where K and V
 *   share one coefficient input: zero rows switch the K edit off whatever the coefficients).
 * - V path: the usual gated edit on the concept prompt's encoding: {@link valueCoefficients} and
 *   {@link valueRows} are {@link coefficients} and the layer's value rows.
 *
 * Contract for the caller (pipeline / surgery): feed the K projections a separate encoding of the
 * supercategory prompt, token-aligned with the concept prompt (same length, same positions: build
 * its token ids with {@link supercategoryTokenIds}), and the V projections the concept prompt's
 * encoding. Public implementations use β ≈ 0.4–0.6 with global locking (vs 0.6–0.75 local).
 */

/** Maps a concept token id to the supercategory token that takes its place in the K prompt. */
export interface TokenReplacement {
  readonly conceptTokenId: number;
  /**
   * One token id. For a supercategory of several tokens ('teddy bear') use the token whose encoding
   * is the concept's i_super (the last one): replacing one token by several would shift every later
   * position and the K and V sequences would no longer line up.
   */
  readonly supercategoryTokenId: number;
}

/** The token ids of the K prompt: `tokenIds` with every concept token replaced in place (same length). */
export function supercategoryTokenIds(tokenIds: ArrayLike<number>, replacements: readonly TokenReplacement[]): Int32Array {
  if (replacements.length === 0) throw new EmptyConceptListError('supercategoryTokenIds(replacements)');
  const map = new Map<number, number>();
  replacements.forEach((r, k) => {
    for (const [name, id] of [['conceptTokenId', r.conceptTokenId], ['supercategoryTokenId', r.supercategoryTokenId]] as const) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw new KeyLockArgumentError(`supercategoryTokenIds(replacements[${k}].${name})`, `${id} is not a token id (an integer >= 0).`);
      }
    }
    map.set(r.conceptTokenId, r.supercategoryTokenId);
  });
  const out = new Int32Array(tokenIds.length);
  for (let t = 0; t < tokenIds.length; t++) {
    const id = tokenIds[t]!;
    out[t] = map.get(id) ?? id;
  }
  return out;
}

/** K-side coefficients in global mode: zeros, [B, T, 2M] for `supercategoryEncodings` [B, T, d]. */
export function keyCoefficients(supercategoryEncodings: FloatArray, dim: number, conceptCount: number): Float32Array {
  checkCount('globalLocking.keyCoefficients(dim)', dim, 1);
  if (conceptCount === 0) throw new EmptyConceptListError('globalLocking.keyCoefficients(conceptCount)');
  checkCount('globalLocking.keyCoefficients(conceptCount)', conceptCount, 1);
  if (supercategoryEncodings.length % dim !== 0) {
    throw new KeyLockDimensionError(
      'globalLocking.keyCoefficients(supercategoryEncodings)',
      'd',
      dim,
      supercategoryEncodings.length,
      `encodings must be [B, T, d = ${dim}] (length a multiple of d).`,
    );
  }
  return new Float32Array((supercategoryEncodings.length / dim) * 2 * conceptCount);
}

/** K rows in global mode: zeros, [2M, width] — the K edit is off. `dim` checks the weight's shape. */
export function keyRows(weightK: ProjectionWeight, dim: number, conceptCount: number): Float32Array {
  if (conceptCount === 0) throw new EmptyConceptListError(`globalLocking.keyRows(${describeWeight(weightK)})`);
  checkCount('globalLocking.keyRows(conceptCount)', conceptCount, 1);
  checkWeight(`globalLocking.keyRows(${describeWeight(weightK)})`, weightK, dim);
  return new Float32Array(2 * conceptCount * weightK.width);
}

/** The global-locking helpers in one namespace. */
export const globalLocking = Object.freeze({
  supercategoryTokenIds,
  keyCoefficients,
  keyRows,
  /** V-side coefficients: the usual [S | G] of the concept prompt's encoding ({@link coefficients}). */
  valueCoefficients: coefficients,
  /** V rows: the usual rows with the learned value targets ({@link valueRows}). */
  valueRows,
});
