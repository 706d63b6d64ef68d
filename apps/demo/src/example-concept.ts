import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DefaultModel } from '@perfusion/toymodel/default-model';
import type { ConceptFolder } from './concepts/concept-folder.js';
import { ConceptFolderError } from './concepts/concept-folder-error.js';
import { DemoStartError } from './errors.js';

/** What the page starts with on the default model (`suggestion` of `GET /api/status`). */
export interface PromptSuggestion {
  readonly prompt: string;
  /** The concept to tick (its id): the default model's example concept, when the folder holds a usable copy. */
  readonly concept?: string;
}

/** The default model's own kind of prompt, for when its example concept is not there. */
export const DEFAULT_MODEL_PROMPT = 'a large red star in the center, blue background';

/** A prompt that calls a concept of the default model, on a background its training pictures never had. */
export function examplePrompt(token: string): string {
  return `a photo of a ${token} on an orange background`;
}

/**
 * Copies the default model's example concept (`sourceDir`/the example's file name) into the
 * concepts folder when the folder lacks that file and the source exists, through
 * {@link ConceptFolder.save} (validated against the model, written atomically). Resolves with the
 * id when it copied, undefined otherwise.
 * @throws {DemoStartError} when the example is not a concept file for this model.
 */
export async function copyExampleConcept(folder: ConceptFolder, example: DefaultModel['exampleConcept'], sourceDir: string): Promise<string | undefined> {
  const id = path.basename(example.file);
  const source = path.join(sourceDir, id);
  const bytes = await fs.readFile(source).catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    await folder.save(id, bytes, false);
    return id;
  } catch (error) {
    if (error instanceof ConceptFolderError && error.code === 'exists') return undefined;
    throw new DemoStartError(`cannot copy the default model's example concept ${source} into ${folder.dir}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The page's starting prompt on the default model: with its example concept when the folder holds
 * a copy the model can use, else the model's own kind of prompt.
 */
export async function promptSuggestion(folder: ConceptFolder, example: DefaultModel['exampleConcept']): Promise<PromptSuggestion> {
  const id = path.basename(example.file);
  const entry = await folder.load(id).then(
    (loaded) => loaded.entry,
    () => undefined,
  );
  if (entry === undefined || !entry.compatible) return { prompt: DEFAULT_MODEL_PROMPT };
  return { prompt: examplePrompt(entry.token), concept: id };
}
