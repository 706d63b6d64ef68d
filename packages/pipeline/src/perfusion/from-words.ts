import { CONCEPT_FORMAT_VERSION, DEFAULT_INFERENCE, decodeConcept, encodeConcept, type ConceptFile, type InferenceDefaults } from '@perfusion/concept-format';
import type { ClipTokenizer } from '@perfusion/encoders';
import { project } from '@perfusion/key-lock';
import type { Tensor } from '@perfusion/tensor-core';
import type { LayerWeights } from '@perfusion/unet';
import { ConceptConstructionError } from '../errors.js';
import { extraEmbeddingRows } from './concept-tokenizer.js';
import type { PerfusionModelDescription } from './model-description.js';

/** Arguments of `Pipeline.conceptFromWords`. */
export interface ConceptFromWordsOptions {
  /** The new token prompts will use, e.g. `'<tabby>'`; it must not be a word of the vocabulary. */
  readonly token: string;
  /** The class word whose key the concept locks to, e.g. `'cat'`. */
  readonly supercategory: string;
  /** The phrase the concept stands for, e.g. `'tabby cat'`. */
  readonly words: string;
  /** A prompt with `{}` where the token goes; default {@link DEFAULT_FROM_WORDS_TEMPLATE}. */
  readonly template?: string;
  /** Inference defaults stored in the concept; default β 0.7, τ 0.15. */
  readonly defaults?: InferenceDefaults;
}

/** The template `conceptFromWords` encodes the token, the words and the supercategory in. */
export const DEFAULT_FROM_WORDS_TEMPLATE = 'a photo of a {}';

/** What {@link conceptFromWords} needs from the pipeline. */
export interface FromWordsContext {
  readonly description: PerfusionModelDescription;
  readonly weights: readonly LayerWeights[];
  /** A tokenizer with exactly `token` added (throws AddedTokenError for a known token). */
  tokenizerWith(token: string): ClipTokenizer;
  readonly encoder: {
    encode(ids: readonly Int32Array[], options?: { extraEmbeddings?: Float32Array }): Promise<Tensor<'float32'>>;
    readTokenEmbedding(ids: number | ArrayLike<number>): Promise<Float32Array>;
    readonly vocabSize: number | undefined;
  };
}

/**
 * A concept made from an existing phrase instead of training (so the whole inference path can be
 * tried before training exists): with `words` = 'tabby cat' and `template` = 'a photo of a {}',
 * - the token's word embedding is the embedding of the last token of `words` ('cat');
 * - i* is the encoding at the token in 'a photo of a <token>' (with that embedding);
 * - i_super is the encoding of the supercategory's last token in 'a photo of a cat';
 * - o*_V of every layer is (the encoding at the last token of `words` in 'a photo of a tabby cat') · W_V.
 * A prompt with the token then behaves much like one with the phrase. Defaults β 0.7, τ 0.15;
 * training summary `{ method: 'from-words', words, template }`.
 */
export async function conceptFromWords(context: FromWordsContext, options: ConceptFromWordsOptions): Promise<ConceptFile> {
  const { token, supercategory, words } = options;
  const template = options.template ?? DEFAULT_FROM_WORDS_TEMPLATE;
  for (const [name, value] of [
    ['token', token],
    ['supercategory', supercategory],
    ['words', words],
    ['template', template],
  ] as const) {
    if (typeof value !== 'string' || value.trim() === '') throw new ConceptConstructionError(`conceptFromWords: ${name} must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  if (template.split('{}').length !== 2) {
    throw new ConceptConstructionError(`conceptFromWords: the template ${JSON.stringify(template)} must contain '{}' exactly once (where the token goes), e.g. '${DEFAULT_FROM_WORDS_TEMPLATE}'.`);
  }
  let tokenizer: ClipTokenizer;
  try {
    tokenizer = context.tokenizerWith(token);
  } catch (error) {
    throw new ConceptConstructionError(`conceptFromWords: cannot use ${JSON.stringify(token)} as the concept token: ${(error as Error).message}`, { cause: error });
  }
  const tokenId = tokenizer.tokenToId(token)!;
  const wordIds = tokenizer.tokenIds(words);
  const superIds = tokenizer.tokenIds(supercategory);
  if (wordIds.includes(tokenId) || superIds.includes(tokenId)) {
    throw new ConceptConstructionError(`conceptFromWords: words and supercategory must not contain the token ${JSON.stringify(token)} itself.`);
  }
  if (wordIds.length === 0 || superIds.length === 0) {
    throw new ConceptConstructionError(`conceptFromWords: ${wordIds.length === 0 ? 'words' : 'supercategory'} has no tokens; give at least one word.`);
  }

  const conceptPrompt = tokenizer.encode(template.replace('{}', token));
  const position = conceptPrompt.ids.indexOf(tokenId);
  if (position < 0) throw new ConceptConstructionError(`conceptFromWords: the template is too long: the token does not fit in the text encoder's ${tokenizer.maxLength} tokens.`);
  const wordsPrompt = place(tokenizer, template, words, wordIds, position, 'words');
  const superPrompt = place(tokenizer, template, supercategory, superIds, position, 'supercategory');

  const wordEmbedding = await context.encoder.readTokenEmbedding(wordIds.at(-1)!);
  const vocabSize = context.encoder.vocabSize;
  if (vocabSize === undefined) throw new ConceptConstructionError('conceptFromWords: the text encoder does not know its vocabulary size; load it with added-token support.');
  const extraEmbeddings = extraEmbeddingRows([tokenId], [wordEmbedding], vocabSize, wordEmbedding.length);
  const encoded = await context.encoder.encode([conceptPrompt.ids, wordsPrompt, superPrompt], { extraEmbeddings });
  const [, length, d] = encoded.shape as [number, number, number];
  const row = (prompt: number, at: number): Float32Array => encoded.data.slice((prompt * length + at) * d, (prompt * length + at + 1) * d);
  const inputEncoding = row(0, position);
  const wordsEncoding = row(1, position + wordIds.length - 1);
  const superEncoding = row(2, position + superIds.length - 1);

  const concept: ConceptFile = {
    formatVersion: CONCEPT_FORMAT_VERSION,
    token,
    supercategory,
    inputEncoding,
    superEncoding,
    wordEmbedding,
    valueTargets: context.weights.map((layer) => ({ layer: layer.key, width: layer.v.width, target: Float32Array.from(project(wordsEncoding, layer.v)) })),
    baseModel: { fingerprint: context.description.fingerprint, name: context.description.name },
    defaults: { ...(options.defaults ?? DEFAULT_INFERENCE) },
    dtype: 'float32',
    training: { method: 'from-words', words, template },
    createdBy: '@perfusion/pipeline conceptFromWords',
  };
  // The same checks a concept file gets (finite values, shapes, defaults), as the object is handed out.
  return decodeConcept(encodeConcept(concept, { target: `conceptFromWords(${token})` }), { source: `conceptFromWords(${token})` });
}

/** The ids of `template` with `text` in place of `{}`; checks `text`'s tokens sit at `position` unchanged. */
function place(tokenizer: ClipTokenizer, template: string, text: string, ids: readonly number[], position: number, what: string): Int32Array {
  const prompt = tokenizer.encode(template.replace('{}', text));
  const fits = position + ids.length < prompt.ids.length && ids.every((id, k) => prompt.ids[position + k] === id);
  if (!fits) {
    throw new ConceptConstructionError(
      `conceptFromWords: in the template ${JSON.stringify(template)}, the ${what} ${JSON.stringify(text)} does not tokenise to its own tokens at the token's place ` +
        `(the text around '{}' merges with it, or the prompt is too long); separate '{}' from the other words with spaces.`,
    );
  }
  return prompt.ids;
}
