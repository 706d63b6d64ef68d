import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConcept } from '@perfusion/concept-format';

/** A concept file and the token that calls it. */
export interface ConceptFileToken {
  readonly file: string;
  readonly token: string;
}

/** What a concepts folder offers a prompt: the concepts it calls, and files that are not readable concepts. */
export interface BundledConcepts {
  readonly concepts: ConceptFileToken[];
  readonly unreadable: { readonly file: string; readonly message: string }[];
}

/**
 * The concepts of `conceptsDir` (every `*.safetensors` file directly in it, in name order) whose
 * token appears in `prompt`, leaving out those whose token is in `givenTokens` (the `--concept`
 * files': they win; a request cannot hold two concepts of one token). A missing or empty folder has
 * none. A file that is not a valid concept is not used; it is listed in `unreadable` with
 * concept-format's reason.
 */
export async function bundledConcepts(conceptsDir: string, prompt: string, givenTokens: readonly string[] = []): Promise<BundledConcepts> {
  const found: BundledConcepts = { concepts: [], unreadable: [] };
  if (!fs.existsSync(conceptsDir) || !fs.statSync(conceptsDir).isDirectory()) return found;
  const taken = new Set(givenTokens);
  const files = fs
    .readdirSync(conceptsDir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.safetensors'))
    .map((entry) => path.join(conceptsDir, entry.name))
    .sort();
  for (const file of files) {
    try {
      const { token } = await readConcept(file);
      if (!prompt.includes(token) || taken.has(token)) continue;
      found.concepts.push({ file, token });
      taken.add(token);
    } catch (error) {
      found.unreadable.push({ file, message: (error as Error).message });
    }
  }
  return found;
}
