import { checkCount, checkLength, type FloatArray } from './checks.js';
import { EmptyCovarianceError, KeyLockArgumentError, KeyLockDimensionError } from './errors.js';

/** Options of {@link CovarianceAccumulator}. */
export interface CovarianceAccumulatorOptions {
  /**
   * Encodings buffered before they are folded into the running sums (default 128). Larger blocks
   * amortise the O(d²) merge per block; the buffer takes blockRows × d float64s.
   */
  readonly blockRows?: number;
}

/** What {@link CovarianceAccumulator.finalize} returns. */
export interface CovarianceEstimate {
  /** The uncentred covariance C = (1/n) Σ e eᵀ, row-major d × d, symmetric. */
  readonly matrix: Float64Array;
  /** n: the number of encodings (token rows) averaged. */
  readonly count: number;
  /** The mean encoding (1/n) Σ e, length d (for diagnostics; C already includes it). */
  readonly mean: Float64Array;
  /** d. */
  readonly dim: number;
}

/**
 * Streams text-encoder outputs (rows of d numbers) into the uncentred covariance
 * C = (1/n) Σ e eᵀ that Perfusion's sim(e) = eᵀC⁻¹i* / i*ᵀC⁻¹i* is measured in.
 *
 * **Which rows to add.** Pass every token's encoding of every caption from BOS up to and including
 * the first EOS, and not the padding positions after it ({@link addSequences} takes the token
 * counts for that). The paper estimates C from the encodings of caption tokens. The padding
 * positions repeat EOS: they would be about 80% of the rows of a typical
 * 77-token batch (a caption is 10–20 tokens), all nearly the same vector for a given caption. C
 * would then describe padding more than words, while sim is meant to measure how close a *word*
 * encoding is to i* relative to how word encodings vary. Which rows count is the caller's choice:
 * the accumulator averages whatever rows it is given.
 *
 * **Numerics.** Everything is float64. Rows are buffered in blocks; each block's mean and centred
 * co-moment are computed in two passes and folded into the running mean μ and co-moment
 * M = Σ (e − μ)(e − μ)ᵀ with Chan et al.'s pairwise update (the same update {@link merge} uses for
 * partial sums computed in parallel). C = M / n + μ μᵀ is formed only at the end, so a large common
 * offset in the encodings (CLIP's outputs have a few dimensions with large constant values) does not
 * swamp the small variations around it, as a plain Σ e eᵀ would after many rows.
 */
export class CovarianceAccumulator {
  /** d: the width of every encoding. */
  readonly dim: number;
  private readonly blockRows: number;
  /** Rows folded into `mean` / `comoment`. */
  private folded = 0;
  private readonly mean: Float64Array;
  /** Upper triangle (j >= i) of Σ (e − μ)(e − μ)ᵀ, row-major d × d; the lower triangle is unused. */
  private readonly comoment: Float64Array;
  /** Buffered rows, column-major: entry j of buffered row r is at j × blockRows + r. */
  private readonly block: Float64Array;
  private pending = 0;

  constructor(dim: number, options: CovarianceAccumulatorOptions = {}) {
    checkCount('CovarianceAccumulator(dim)', dim, 1);
    const blockRows = options.blockRows ?? 128;
    checkCount('CovarianceAccumulator(options.blockRows)', blockRows, 1);
    this.dim = dim;
    this.blockRows = blockRows;
    this.mean = new Float64Array(dim);
    this.comoment = new Float64Array(dim * dim);
    this.block = new Float64Array(dim * blockRows);
  }

  /** n so far: every row added (or merged in). */
  get count(): number {
    return this.folded + this.pending;
  }

  /** Adds one encoding (d numbers). */
  add(row: ArrayLike<number>): this {
    checkLength('CovarianceAccumulator.add(row)', row, this.dim, `one encoding of d = ${this.dim} numbers`);
    this.addAt(row, 0);
    return this;
  }

  /** Adds every row of `rows` (row-major n × d). */
  addRows(rows: FloatArray): this {
    const d = this.dim;
    if (rows.length % d !== 0) {
      throw new KeyLockDimensionError(
        'CovarianceAccumulator.addRows(rows)',
        'd',
        d,
        rows.length,
        `rows must be a row-major n × ${d} matrix (its length a multiple of d); the length given is ${rows.length}.`,
      );
    }
    for (let offset = 0; offset < rows.length; offset += d) this.addAt(rows, offset);
    return this;
  }

  /**
   * Adds a batch of encoded prompts: `encodings` is [B, sequenceLength, d] (what the text encoder
   * returns for B prompts), and the first `tokenCounts[b]` rows of prompt b are added — pass the
   * index of the first EOS + 1, so BOS, the caption's tokens and its EOS count and the padding
   * after it does not.
   */
  addSequences(encodings: FloatArray, sequenceLength: number, tokenCounts: ArrayLike<number>): this {
    const d = this.dim;
    checkCount('CovarianceAccumulator.addSequences(sequenceLength)', sequenceLength, 1);
    const batch = tokenCounts.length;
    checkLength(
      'CovarianceAccumulator.addSequences(encodings)',
      encodings,
      batch * sequenceLength * d,
      `[B = ${batch} (tokenCounts.length), ${sequenceLength}, d = ${d}] encodings`,
    );
    for (let b = 0; b < batch; b++) {
      const tokens = tokenCounts[b]!;
      if (!Number.isSafeInteger(tokens) || tokens < 0 || tokens > sequenceLength) {
        throw new KeyLockArgumentError(
          `CovarianceAccumulator.addSequences(tokenCounts[${b}])`,
          `${tokens} is not an integer in [0, ${sequenceLength}]; pass the index of the prompt's first EOS + 1.`,
        );
      }
      for (let t = 0; t < tokens; t++) this.addAt(encodings, (b * sequenceLength + t) * d);
    }
    return this;
  }

  /**
   * Folds `other`'s rows into this accumulator (Chan et al.'s pairwise update of mean and
   * co-moment), as if they had been added here. For partial sums computed in parallel; `other`
   * keeps its own rows too.
   */
  merge(other: CovarianceAccumulator): this {
    if (other.dim !== this.dim) {
      throw new KeyLockDimensionError('CovarianceAccumulator.merge(other)', 'd', this.dim, other.dim, 'only accumulators of the same encoder can merge.');
    }
    this.flush();
    other.flush();
    this.foldMoments(other.folded, other.mean, other.comoment);
    return this;
  }

  /**
   * C = (1/n) Σ e eᵀ over every row so far (a new d × d matrix). The accumulator stays usable:
   * more rows can be added and `finalize` called again.
   */
  finalize(): CovarianceEstimate {
    this.flush();
    const n = this.folded;
    if (n === 0) throw new EmptyCovarianceError();
    const d = this.dim;
    const matrix = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const mi = this.mean[i]!;
      for (let j = i; j < d; j++) {
        const c = this.comoment[i * d + j]! / n + mi * this.mean[j]!;
        matrix[i * d + j] = c;
        matrix[j * d + i] = c;
      }
    }
    return { matrix, count: n, mean: this.mean.slice(), dim: d };
  }

  /** Buffers `source[offset .. offset + d)` (bounds already checked by the caller). */
  private addAt(source: ArrayLike<number>, offset: number): void {
    const d = this.dim;
    const bs = this.blockRows;
    const r = this.pending;
    for (let j = 0; j < d; j++) {
      const v = source[offset + j]!;
      if (!Number.isFinite(v)) {
        throw new KeyLockArgumentError(
          'CovarianceAccumulator',
          `entry ${j} of encoding ${this.count} (0-based, counting every row added) is ${v}; encodings must be finite (check the text encoder's output).`,
        );
      }
      this.block[j * bs + r] = v;
    }
    this.pending = r + 1;
    if (this.pending === bs) this.flush();
  }

  /** Folds the buffered rows in: their mean and centred co-moment (two passes), then a pairwise merge. */
  private flush(): void {
    const b = this.pending;
    if (b === 0) return;
    const d = this.dim;
    const bs = this.blockRows;
    const block = this.block;
    const blockMean = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const col = j * bs;
      let s = 0;
      for (let r = 0; r < b; r++) s += block[col + r]!;
      const m = s / b;
      blockMean[j] = m;
      for (let r = 0; r < b; r++) block[col + r] -= m;
    }
    // Upper triangle of the centred block's Xᵀ X, in 2 × 2 tiles: four dot products share each
    // pass over four columns (contiguous in the column-major block), which halves the loads.
    const blockComoment = new Float64Array(d * d);
    for (let i = 0; i < d; i += 2) {
      const hasI1 = i + 1 < d;
      const ci0 = i * bs;
      const ci1 = hasI1 ? ci0 + bs : ci0;
      for (let j = i; j < d; j += 2) {
        const hasJ1 = j + 1 < d;
        const cj0 = j * bs;
        const cj1 = hasJ1 ? cj0 + bs : cj0;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let r = 0; r < b; r++) {
          const a0 = block[ci0 + r]!;
          const a1 = block[ci1 + r]!;
          const b0 = block[cj0 + r]!;
          const b1 = block[cj1 + r]!;
          s00 += a0 * b0;
          s01 += a0 * b1;
          s10 += a1 * b0;
          s11 += a1 * b1;
        }
        blockComoment[i * d + j] = s00;
        if (hasJ1) blockComoment[i * d + j + 1] = s01;
        if (hasI1) {
          if (j > i) blockComoment[(i + 1) * d + j] = s10;
          if (hasJ1) blockComoment[(i + 1) * d + j + 1] = s11;
        }
      }
    }
    this.pending = 0;
    this.foldMoments(b, blockMean, blockComoment);
  }

  /** Merges a partial result (count, mean, upper-triangle co-moment) into the running one. */
  private foldMoments(countB: number, meanB: Float64Array, comomentB: Float64Array): void {
    if (countB === 0) return;
    const d = this.dim;
    const countA = this.folded;
    const total = countA + countB;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = meanB[j]! - this.mean[j]!;
    const weight = (countA * countB) / total;
    for (let i = 0; i < d; i++) {
      const wi = delta[i]! * weight;
      const row = i * d;
      for (let j = i; j < d; j++) this.comoment[row + j] += comomentB[row + j]! + wi * delta[j]!;
    }
    const step = countB / total;
    for (let j = 0; j < d; j++) this.mean[j] += delta[j]! * step;
    this.folded = total;
  }
}
