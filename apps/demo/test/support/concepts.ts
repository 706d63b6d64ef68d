import { encodeConcept, type ConceptFile } from '@perfusion/concept-format';
import { ensureDefaultModel } from '@perfusion/fixtures';
import { loadPipeline } from '@perfusion/pipeline';

/**
 * A concept of the default (tiny) model made from words (no training), the bytes of its file, and
 * the bytes of the same concept claiming another base model.
 */
export async function tinyConcept(): Promise<{ concept: ConceptFile; bytes: Uint8Array; otherModelBytes: Uint8Array }> {
  const pipeline = await loadPipeline((await ensureDefaultModel()).dir);
  try {
    const concept = await pipeline.conceptFromWords({ token: '<tabby>', supercategory: 'cat', words: 'tabby cat' });
    return {
      concept,
      bytes: encodeConcept(concept),
      otherModelBytes: encodeConcept({ ...concept, baseModel: { fingerprint: 'another-model', name: 'another model' } }),
    };
  } finally {
    await pipeline.release();
  }
}
