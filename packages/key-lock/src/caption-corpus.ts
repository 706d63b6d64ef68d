import { Rng } from '@perfusion/tensor-core';
import { checkCount } from './checks.js';
import { generateCaption } from './corpus/grammar.js';
import { SEED_CAPTIONS } from './corpus/seed-captions.js';
import { KeyLockArgumentError } from './errors.js';

/** Options of {@link builtInCaptions}. */
export interface CaptionCorpusOptions {
  /** Number of captions (default {@link DEFAULT_CAPTION_COUNT}); all distinct. At most {@link MAX_CAPTION_COUNT}. */
  readonly count?: number;
  /** Seed of the grammar's random choices (default 0). The hand-written head is the same for every seed. */
  readonly seed?: number;
}

/** The default corpus size: enough rows (about 60 000 tokens) for a well-conditioned 768 × 768 C. */
export const DEFAULT_CAPTION_COUNT = 5000;
/** The largest corpus this grammar is asked for (it has far more distinct sentences; this bounds the work). */
export const MAX_CAPTION_COUNT = 200_000;

/**
 * A deterministic corpus of varied image captions for estimating a base model's covariance C: a
 * hand-written list first, then sentences from a small grammar (subjects with attributes, actions,
 * places, times, art styles, photographic terms; 12 templates), drawn with tensor-core's `Rng`, so
 * the same options give the same captions on every platform. No duplicates; every caption is well
 * under CLIP's 77-token limit. The paper estimated C from about 100 000 LAION captions; C only
 * needs to describe how word encodings vary, and the overall scale of C cancels out of sim.
 */
export function builtInCaptions(options: CaptionCorpusOptions = {}): string[] {
  const count = options.count ?? DEFAULT_CAPTION_COUNT;
  checkCount('builtInCaptions(options.count)', count, 0);
  if (count > MAX_CAPTION_COUNT) {
    throw new KeyLockArgumentError('builtInCaptions(options.count)', `${count} is more than ${MAX_CAPTION_COUNT}; use an external corpus for more.`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new KeyLockArgumentError('builtInCaptions(options.seed)', `${seed} is not a safe integer.`);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const caption of SEED_CAPTIONS) {
    if (out.length === count) return out;
    if (!seen.has(caption)) {
      seen.add(caption);
      out.push(caption);
    }
  }
  const rng = new Rng(seed).fork('captions');
  let attempts = 0;
  while (out.length < count) {
    if (++attempts > 20 * count + 1000) {
      throw new KeyLockArgumentError('builtInCaptions', `the grammar produced only ${out.length} distinct captions in ${attempts} draws.`);
    }
    const caption = generateCaption(rng);
    if (!seen.has(caption)) {
      seen.add(caption);
      out.push(caption);
    }
  }
  return out;
}
