import { supercategoryTokenIds } from '@perfusion/key-lock';
import { Tensor } from '@perfusion/tensor-core';
import type { ConceptPlan } from './concept-plan.js';

/** What the text encoding of concept prompts needs: `TextEncoder.encode` with extra embeddings. */
export interface ConceptPromptEncoder {
  encode(ids: readonly Int32Array[], options?: { extraEmbeddings?: Float32Array }): Promise<Tensor<'float32'>>;
}

/** The encodings of a generation's prompt rows with concepts. */
export interface ConceptEncodings {
  /** The prompt rows ([rows, tokens, d]), concept tokens resolved to their embeddings. */
  readonly encoded: Tensor<'float32'>;
  /** Global locking: the same rows with each concept token replaced by its supercategory word. */
  readonly keyEncoded?: Tensor<'float32'>;
}

/**
 * Encodes the prompt rows (tokenised with `plan.tokenizer`) with the concepts' word embeddings; with
 * global locking, also the supercategory prompts (token-aligned: each concept token replaced in place
 * by its supercategory's last token), in the same encoder call.
 */
export async function encodeConceptPrompts(encoder: ConceptPromptEncoder, plan: ConceptPlan, rows: readonly Int32Array[]): Promise<ConceptEncodings> {
  const options = { extraEmbeddings: plan.extraEmbeddings };
  if (!plan.globalLocking) return { encoded: await encoder.encode(rows, options) };
  const superRows = rows.map((ids) => supercategoryTokenIds(ids, plan.replacements));
  const both = await encoder.encode([...rows, ...superRows], options);
  const [, tokens, d] = both.shape as [number, number, number];
  const half = rows.length * tokens * d;
  return {
    encoded: new Tensor('float32', both.data.slice(0, half), [rows.length, tokens, d]),
    keyEncoded: new Tensor('float32', both.data.slice(half), [rows.length, tokens, d]),
  };
}
