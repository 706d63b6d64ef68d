import { encodeConcept, type ConceptFile } from '@perfusion/concept-format';
import { ensureFixture } from '@perfusion/fixtures';
import { loadPipeline } from '@perfusion/pipeline';

/** The tiny test model the HTTP tests serve (`startTestServer`'s default): quick to load and run. */
export function tinyModel(): Promise<string> {
  return ensureFixture('tiny', { dtype: 'float32', seed: 0 });
}

/**
 * A concept made from words (no training) on `modelDir`, the bytes of its file, and the bytes of
 * the same concept claiming another base model.
 */
export async function conceptFromWords(
  modelDir: string,
  words: { token: string; supercategory: string; words: string },
): Promise<{ concept: ConceptFile; bytes: Uint8Array; otherModelBytes: Uint8Array }> {
  const pipeline = await loadPipeline(modelDir);
  try {
    const concept = await pipeline.conceptFromWords(words);
    return {
      concept,
      bytes: encodeConcept(concept),
      otherModelBytes: encodeConcept({ ...concept, baseModel: { fingerprint: 'another-model', name: 'another model' } }),
    };
  } finally {
    await pipeline.release();
  }
}

/** `<tabby>` (cat, "tabby cat") on the tiny test model: see {@link conceptFromWords}. */
export async function tinyConcept(): Promise<{ concept: ConceptFile; bytes: Uint8Array; otherModelBytes: Uint8Array }> {
  return conceptFromWords(await tinyModel(), { token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
}
