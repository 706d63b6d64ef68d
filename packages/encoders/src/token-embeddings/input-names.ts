/**
 * The graph input of a text encoder extended for added tokens: `[perfusion_extra_tokens, d_emb]`
 * in the model's float type (the token embedding table's). Row `k` is the input word embedding of
 * token id `vocabSize + k`. Stable: sessions feed it by this name, and training (issue 7) learns
 * the concept tokens' embeddings through the gradient with respect to this input.
 */
export const PERFUSION_TOKEN_EMBEDDINGS_INPUT = 'perfusion_token_embeddings';

/** The symbolic size of its first dimension (the number of extra rows, 0 allowed). */
export const EXTRA_TOKENS_DIM = 'perfusion_extra_tokens';

/**
 * Version of the extended graph's layout (input name and shape, inserted nodes, cache entry files).
 * Part of every cache key: bump it whenever an entry written by older code must not be reused.
 */
export const TOKEN_EMBEDDING_PATCH_VERSION = 1;
