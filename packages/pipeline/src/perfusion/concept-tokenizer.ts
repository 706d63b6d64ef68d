import { ClipTokenizer, type ClipTextCleanup, type TokenizerDefinition } from '@perfusion/encoders';
import { LruMap } from './lru.js';

/**
 * Tokenizers with concept tokens added, one per list of tokens (in order), made from the model's
 * tokenizer files and kept (a few; building one for SD's 49,408-token vocabulary takes tens of
 * milliseconds). The pipeline's own tokenizer is never changed: a prompt that mentions a concept
 * token not in the request tokenises as plain text, whatever ran before.
 */
export class ConceptTokenizers {
  private readonly cache: LruMap<string, ClipTokenizer>;

  constructor(
    private readonly definition: TokenizerDefinition,
    private readonly cleanup: ClipTextCleanup,
    capacity = 8,
  ) {
    this.cache = new LruMap(capacity);
  }

  /** The model's tokenizer plus `tokens` (ids handed out in order). @throws AddedTokenError for a token already known. */
  withTokens(tokens: readonly string[]): ClipTokenizer {
    const key = tokens.join('\u0000');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const tokenizer = new ClipTokenizer(this.definition, { cleanup: this.cleanup });
    for (const token of tokens) tokenizer.addToken(token);
    this.cache.set(key, tokenizer);
    return tokenizer;
  }
}

/**
 * The extra embedding rows for added tokens: row `id − vocabSize` holds the embedding of token
 * `id`; rows of ids not given stay zero. `embeddings[k]` belongs to `ids[k]`.
 */
export function extraEmbeddingRows(ids: readonly number[], embeddings: readonly Float32Array[], vocabSize: number, dim: number): Float32Array {
  let rows = 0;
  for (const id of ids) {
    if (id < vocabSize) throw new RangeError(`added token id ${id} is inside the text encoder's vocabulary (0..${vocabSize - 1}); the tokenizer and text encoder do not match.`);
    rows = Math.max(rows, id - vocabSize + 1);
  }
  const out = new Float32Array(rows * dim);
  ids.forEach((id, k) => out.set(embeddings[k]!, (id - vocabSize) * dim));
  return out;
}
