import type { ClipTokenizer, TextEncoder } from '@perfusion/encoders';
import { fillTemplate } from './prompt-templates.js';
import { TrainingSetupError } from './errors.js';

/** The tokenised training prompts and the concept's starting point. */
export interface ConceptSetup {
  readonly tokenId: number;
  /** Row of the extra embedding table the token's id reads (id − vocabSize). */
  readonly extraRow: number;
  /** Ids of every template with the token, and the token's position in each. */
  readonly prompts: readonly { readonly ids: Int32Array; readonly position: number }[];
  /** The supercategory's word embedding (its last word's): the token's starting embedding. */
  readonly initialEmbedding: Float32Array;
  /** i_super: the supercategory's (last token's) encoding, averaged over the templates. */
  readonly superEncoding: Float32Array;
  /** i* at step 0: the token's encoding with the starting embedding, averaged over the templates. */
  readonly initialInputEncoding: Float64Array;
}

/** The model's tokenizers: without added tokens, and with some added (both shared, never changed here). */
export interface ConceptTokenizerSource {
  readonly baseTokenizer: ClipTokenizer;
  tokenizerWith(tokens: readonly string[]): ClipTokenizer;
}

/**
 * Checks the token and supercategory against the model's vocabulary and computes the concept's
 * starting point.
 * @throws TrainingSetupError for a token already in the vocabulary, a supercategory word that is not
 *   one known token, or templates too long for the text encoder.
 */
export async function setUpConcept(
  tokenizers: ConceptTokenizerSource,
  encoder: Pick<TextEncoder, 'encode' | 'readTokenEmbedding' | 'vocabSize'>,
  options: { readonly token: string; readonly supercategory: string; readonly templates: readonly string[] },
): Promise<ConceptSetup> {
  const { token, supercategory, templates } = options;
  const base = tokenizers.baseTokenizer;
  const superIds = supercategoryIds(base, supercategory);
  const known = base.tokenIds(token);
  if (known.length === 1) {
    throw new TrainingSetupError(
      `The concept token ${JSON.stringify(token)} is already in the vocabulary (as ${JSON.stringify(base.idToToken(known[0]!))}, id ${known[0]}); ` +
        `a concept needs a new token, such as "<${token.replace(/[<>]/g, '')}-concept>".`,
    );
  }
  let tokenizer: ClipTokenizer;
  try {
    tokenizer = tokenizers.tokenizerWith([token]);
  } catch (error) {
    throw new TrainingSetupError(`The concept token ${JSON.stringify(token)} cannot be used: ${(error as Error).message}`, { cause: error });
  }
  const tokenId = tokenizer.tokenToId(token)!;
  const vocabSize = encoder.vocabSize;
  if (vocabSize === undefined || tokenId < vocabSize) {
    throw new TrainingSetupError(`The text encoder's vocabulary size is ${vocabSize ?? 'unknown'} but the tokenizer gave the new token id ${tokenId}; the model's tokenizer and text encoder do not match.`);
  }
  const extraRow = tokenId - vocabSize;
  const prompts = templates.map((template) => {
    const ids = tokenizer.encode(fillTemplate(template, token)).ids;
    const position = ids.indexOf(tokenId);
    if (position < 0) throw new TrainingSetupError(`The template ${JSON.stringify(template)} is too long: the token does not fit in the text encoder's ${tokenizer.maxLength} tokens.`);
    return { ids, position };
  });
  const superPrompts = templates.map((template, i) => {
    const ids = tokenizer.encode(fillTemplate(template, supercategory)).ids;
    const at = prompts[i]!.position;
    const fits = at + superIds.length < ids.length && superIds.every((id, k) => ids[at + k] === id);
    if (!fits) {
      throw new TrainingSetupError(
        `In the template ${JSON.stringify(template)} the supercategory ${JSON.stringify(supercategory)} does not tokenise to its own tokens at the token's place; separate '{}' from the other words with spaces.`,
      );
    }
    return { ids, position: at + superIds.length - 1 };
  });

  const initialEmbedding = await encoder.readTokenEmbedding(superIds.at(-1)!);
  const extra = new Float32Array((extraRow + 1) * initialEmbedding.length);
  extra.set(initialEmbedding, extraRow * initialEmbedding.length);
  const encoded = await encoder.encode([...prompts.map((p) => p.ids), ...superPrompts.map((p) => p.ids)], { extraEmbeddings: extra });
  const [, length, d] = encoded.shape as [number, number, number];
  const average = (rows: readonly { position: number }[], first: number): Float64Array => {
    const sum = new Float64Array(d);
    rows.forEach((row, i) => {
      const offset = ((first + i) * length + row.position) * d;
      for (let c = 0; c < d; c++) sum[c] += encoded.data[offset + c]!;
    });
    return sum.map((v) => v / rows.length);
  };
  return {
    tokenId,
    extraRow,
    prompts,
    initialEmbedding,
    superEncoding: Float32Array.from(average(superPrompts, prompts.length)),
    initialInputEncoding: average(prompts, 0),
  };
}

/** The supercategory's ids; every word must be a single known token. */
function supercategoryIds(tokenizer: ClipTokenizer, supercategory: string): number[] {
  const words = supercategory.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) throw new TrainingSetupError('The supercategory is empty; give the class word of the concept, e.g. "cat".');
  for (const word of words) {
    const pieces = tokenizer.tokenIds(word);
    if (pieces.length !== 1) {
      const shown = pieces.map((id) => JSON.stringify(tokenizer.idToToken(id))).join(', ');
      throw new TrainingSetupError(
        `The supercategory ${JSON.stringify(supercategory)} is not a single known word or phrase: ${JSON.stringify(word)} is not in the model's vocabulary ` +
          `(it splits into ${pieces.length} pieces: ${shown}). Use a common class word such as "cat", "dog" or "teddy bear".`,
      );
    }
  }
  return tokenizer.tokenIds(words.join(' '));
}
