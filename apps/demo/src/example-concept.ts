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
  /** The guidance scale the default model draws best at (SD's usual 7.5 over-saturates it). */
  readonly guidanceScale: number;
}

/** The default model's own kind of prompt, for when its example concept is not there. */
export const DEFAULT_MODEL_PROMPT = 'a large red star in the center, blue background';

/** A prompt that calls a concept of the default model, on a background its training pictures never had. */
export function examplePrompt(token: string): string {
  return `a photo of a ${token} on an orange background`;
}

/** What {@link copyExampleConcept} did. */
export interface ExampleConceptCopy {
  /** The example's id (file name) in the concepts folder. */
  readonly id: string;
  /** The name an earlier copy the model can no longer use was moved to, when there was one. */
  readonly setAside?: string;
}

/**
 * Copies the default model's example concept (`sourceDir`/the example's file name) into the
 * concepts folder when the source exists and the folder lacks a usable file of that name, through
 * {@link ConceptFolder.save} (validated against the model, written atomically). A file of that
 * name that this model cannot use (an earlier copy, made for weights since retrained, or not a
 * concept at all) is moved aside to `<name>.stale.safetensors` (`.stale-2`, …), never deleted;
 * a usable one is kept. Resolves with what it copied, or undefined when it copied nothing.
 * @throws {DemoStartError} when the example is not a concept file for this model.
 */
export async function copyExampleConcept(folder: ConceptFolder, example: DefaultModel['exampleConcept'], sourceDir: string): Promise<ExampleConceptCopy | undefined> {
  const id = path.basename(example.file);
  const source = path.join(sourceDir, id);
  const bytes = await fs.readFile(source).catch(() => undefined);
  if (bytes === undefined) return undefined;
  const existing = await folder.load(id).then(
    (loaded) => (loaded.entry.compatible ? 'usable' : 'stale'),
    (error: unknown) => (error instanceof ConceptFolderError && error.code === 'invalid-concept' ? 'stale' : 'none'),
  );
  if (existing === 'usable') return undefined;
  const cannotCopy = (error: Error): DemoStartError =>
    new DemoStartError(`cannot copy the default model's example concept ${source} into ${folder.dir}: ${error.message}`, { cause: error });
  const save = async (): Promise<boolean> => {
    try {
      await folder.save(id, bytes, false);
      return true;
    } catch (error) {
      // Something the folder will not read there (a link leading outside it): left alone.
      if (error instanceof ConceptFolderError && error.code === 'exists') return false;
      throw cannotCopy(error as Error);
    }
  };
  if (existing === 'none') return (await save()) ? { id } : undefined;
  // Validate the new copy before the old one moves, so a failure leaves the folder as it was.
  const setAside = await freeStaleName(folder.dir, id);
  await folder.check(id, bytes).catch((error: Error) => {
    throw cannotCopy(error);
  });
  await fs.rename(path.join(folder.dir, id), path.join(folder.dir, setAside));
  await save();
  return { id, setAside };
}

async function freeStaleName(dir: string, id: string): Promise<string> {
  const stem = id.slice(0, -'.safetensors'.length);
  for (let n = 1; ; n++) {
    const name = `${stem}.stale${n === 1 ? '' : `-${n}`}.safetensors`;
    if (!(await fs.lstat(path.join(dir, name)).then(() => true, () => false))) return name;
  }
}

/**
 * The page's starting prompt and guidance on the default model: with its example concept when the
 * folder holds a copy the model can use, else the model's own kind of prompt.
 */
export async function promptSuggestion(folder: ConceptFolder, model: Pick<DefaultModel, 'exampleConcept' | 'guidanceScale'>): Promise<PromptSuggestion> {
  const { exampleConcept: example, guidanceScale } = model;
  const id = path.basename(example.file);
  const entry = await folder.load(id).then(
    (loaded) => loaded.entry,
    () => undefined,
  );
  if (entry === undefined || !entry.compatible) return { prompt: DEFAULT_MODEL_PROMPT, guidanceScale };
  return { prompt: examplePrompt(entry.token), concept: id, guidanceScale };
}
