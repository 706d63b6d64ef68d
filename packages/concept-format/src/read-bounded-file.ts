import { readFile, stat } from 'node:fs/promises';
import { ConceptIoError } from './errors.js';

/**
 * Reads a whole file that must not exceed `maxBytes`, checking the size before reading so that a
 * wrong path pointing at a huge file fails fast. `tooLarge` builds the caller's typed error; other
 * failures become a {@link ConceptIoError} naming the path.
 */
export async function readBoundedFile(path: string, maxBytes: number, tooLarge: (size: number) => Error): Promise<Uint8Array> {
  let size: number;
  try {
    ({ size } = await stat(path));
  } catch (error) {
    throw new ConceptIoError(path, 'read', error);
  }
  if (size > maxBytes) throw tooLarge(size);
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConceptIoError(path, 'read', error);
  }
}
