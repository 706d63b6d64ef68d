import { createHash } from 'node:crypto';
import { CovarianceAccumulator, DEFAULT_CAPTION_COUNT, type CovarianceEstimate } from '@perfusion/key-lock';
import type { Tensor } from '@perfusion/tensor-core';

/** What {@link computeCovariance} needs from a tokenizer. */
export interface CaptionTokenizer {
  encode(text: string): { readonly ids: Int32Array; readonly tokenCount: number };
}

/** What {@link computeCovariance} needs from a text encoder. */
export interface CaptionEncoder {
  encode(ids: readonly Int32Array[]): Promise<Tensor<'float32'>>;
}

/** Progress of a covariance computation: captions encoded so far out of `total`. */
export interface CovarianceProgress {
  readonly done: number;
  readonly total: number;
}

/** Options of {@link computeCovariance}. */
export interface ComputeCovarianceOptions {
  /** Captions per text-encoder call. Default {@link DEFAULT_COVARIANCE_BATCH}. */
  readonly batchSize?: number;
  /**
   * Called with `done: 0` before the first batch and after every batch (`done` never decreases,
   * the last call has `done === total`). A returned promise is awaited before the next batch.
   */
  readonly onProgress?: (progress: CovarianceProgress) => void | Promise<void>;
  /** Checked before every batch; when it returns true the computation stops with {@link CovarianceCancelledError}. */
  readonly isCancelled?: () => boolean;
  /**
   * Encode each batch only up to its longest caption instead of the full 77 positions (default
   * true). CLIP's text encoder is causal, so the rows from the start token to the end token do not
   * depend on the padding after them; on SD 1.x captions this encodes about a third of the
   * positions. Checked on the first batch: if the trimmed encoding differs from the full one (or the
   * model refuses shorter inputs), every batch is encoded in full.
   */
  readonly trimPadding?: boolean;
}

/** The covariance of a caption corpus's encodings: key-lock's estimate plus how many captions it came from. */
export interface CaptionCovariance extends CovarianceEstimate {
  readonly captions: number;
}

/** Captions per text-encoder call by default. */
export const DEFAULT_COVARIANCE_BATCH = 32;

/** {@link computeCovariance} was stopped through `isCancelled`. */
export class CovarianceCancelledError extends Error {
  constructor() {
    super('the covariance computation was cancelled');
    this.name = 'CovarianceCancelledError';
  }
}

/**
 * The uncentred covariance C = (1/n) Σ e eᵀ of the text encodings of `captions`: each caption is
 * tokenised, encoded in batches, and the rows from its start token up to and including its end
 * token are added (not the padding after it: key-lock's `CovarianceAccumulator.addSequences` with
 * the tokenizer's `tokenCount`). Use the pipeline's tokenizer and text encoder, so that C describes
 * the encodings the gates will see.
 */
export async function computeCovariance(
  tokenizer: CaptionTokenizer,
  encoder: CaptionEncoder,
  captions: readonly string[],
  options: ComputeCovarianceOptions = {},
): Promise<CaptionCovariance> {
  const batchSize = options.batchSize ?? DEFAULT_COVARIANCE_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`computeCovariance: batchSize must be an integer >= 1, got ${batchSize}.`);
  if (captions.length === 0) throw new RangeError('computeCovariance: give at least one caption.');
  const total = captions.length;
  let trim: boolean | undefined = options.trimPadding === false ? false : undefined; // undefined: not checked yet
  let accumulator: CovarianceAccumulator | undefined;
  await options.onProgress?.({ done: 0, total });
  for (let start = 0; start < total; start += batchSize) {
    if (options.isCancelled?.() === true) throw new CovarianceCancelledError();
    const batch = captions.slice(start, start + batchSize).map((caption) => tokenizer.encode(caption));
    const counts = batch.map((prompt) => prompt.tokenCount);
    const longest = Math.max(...counts);
    let encoded: Tensor<'float32'> | undefined;
    if (trim !== false && longest < batch[0]!.ids.length) {
      const trimmed = await encoder.encode(batch.map((prompt) => prompt.ids.subarray(0, longest))).catch(() => undefined);
      if (trim === undefined) {
        const full = await encoder.encode(batch.map((prompt) => prompt.ids));
        trim = trimmed !== undefined && sameRows(trimmed, full, counts);
        encoded = full;
      } else if (trimmed !== undefined) {
        encoded = trimmed;
      }
    }
    encoded ??= await encoder.encode(batch.map((prompt) => prompt.ids));
    const [rows, length, dim] = encoded.shape as [number, number, number];
    if (rows !== batch.length) throw new RangeError(`computeCovariance: the encoder returned ${rows} rows for ${batch.length} captions.`);
    accumulator ??= new CovarianceAccumulator(dim);
    accumulator.addSequences(encoded.data, length, counts.map((count) => Math.min(count, length)));
    await options.onProgress?.({ done: Math.min(start + batchSize, total), total });
  }
  return { ...accumulator!.finalize(), captions: total };
}

/** Whether rows 0..counts[b] of every caption agree between a trimmed and a full encoding (to 1e-3 of their scale). */
function sameRows(trimmed: Tensor<'float32'>, full: Tensor<'float32'>, counts: readonly number[]): boolean {
  const [, shortLength, dim] = trimmed.shape as [number, number, number];
  const [, fullLength] = full.shape as [number, number, number];
  let scale = 0;
  let difference = 0;
  counts.forEach((count, b) => {
    for (let t = 0; t < Math.min(count, shortLength); t++) {
      for (let i = 0; i < dim; i++) {
        const a = trimmed.data[(b * shortLength + t) * dim + i]!;
        const c = full.data[(b * fullLength + t) * dim + i]!;
        scale = Math.max(scale, Math.abs(c));
        difference = Math.max(difference, Math.abs(a - c));
      }
    }
  });
  return difference <= 1e-3 * scale;
}

/** A label of a caption corpus stored with its covariance: the built-in corpus by count, others by hash. */
export function corpusLabel(captions: readonly string[] | undefined, builtInCount = DEFAULT_CAPTION_COUNT): string {
  if (captions === undefined) return `builtin:${builtInCount}:seed0`;
  const hash = createHash('sha256');
  for (const caption of captions) hash.update(caption).update('\n');
  return `sha256:${hash.digest('hex').slice(0, 32)}:${captions.length}`;
}
