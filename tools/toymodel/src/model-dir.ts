import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The committed, trained toy model folder shipped with this package (`model/`). */
export const TOY_MODEL_DIR = path.join(packageDir, 'model');

/** The concepts trained on the toy model and shipped beside it (`concepts/`). */
export const TOY_CONCEPTS_DIR = path.join(packageDir, 'concepts');
