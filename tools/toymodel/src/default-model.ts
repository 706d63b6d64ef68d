import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_CONCEPT } from './concept/example-concept.js';
import { ToyModelError } from './errors.js';
import { TOY_CONCEPTS_DIR, TOY_MODEL_DIR } from './model-dir.js';

/** What the embedded default model is and where it lives. */
export interface DefaultModel {
  readonly dir: string;
  /** A short label. */
  readonly name: string;
  readonly description: string;
  /** Concepts trained on it, shipped beside it. */
  readonly conceptsDir: string;
  /** The bundled example concept's file and token. */
  readonly exampleConcept: { readonly file: string; readonly token: string };
  /**
   * The classifier-free guidance it draws best at, which the apps use unless told otherwise: the
   * evaluator's 4. SD's usual 7.5 over-saturates this small model (stray dots, colour 91 % against
   * 99 % on 100 held-out captions, 2026-11-26).
   */
  readonly guidanceScale: number;
}

/** See {@link DefaultModel.guidanceScale}; the evaluator samples at it too (`EVALUATION_DEFAULTS`). */
export const DEFAULT_MODEL_GUIDANCE = 4;

/**
 * The model the apps (`perfusion`, the web demo) use when no model folder is given: the toy-world
 * model committed in this package (`model/`, trained by `npm run train-base`), which draws 64×64
 * scenes of coloured shapes from captions such as "a large red star in the center, blue background",
 * with the example concept `<striped-star>` beside it.
 * @throws ToyModelError when the package was installed without its model folder.
 */
export async function ensureDefaultModel(): Promise<DefaultModel> {
  if (!fs.existsSync(path.join(TOY_MODEL_DIR, 'model_index.json'))) {
    throw new ToyModelError(`The embedded toy model is missing from ${TOY_MODEL_DIR}; reinstall @perfusion/toymodel, or pass a model folder (--model DIR).`);
  }
  return {
    dir: TOY_MODEL_DIR,
    name: 'toy',
    description: 'the toy-world model (64×64 coloured shapes; prompts like "a large red star in the center, blue background")',
    conceptsDir: TOY_CONCEPTS_DIR,
    exampleConcept: { file: path.join(TOY_CONCEPTS_DIR, EXAMPLE_CONCEPT.file), token: EXAMPLE_CONCEPT.token },
    guidanceScale: DEFAULT_MODEL_GUIDANCE,
  };
}
