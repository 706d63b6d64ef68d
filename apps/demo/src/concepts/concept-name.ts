/** What a concept file in the concepts folder may be called (its id in the API). */
export const CONCEPT_NAME_PATTERN = /^[A-Za-z0-9._-]{1,80}\.safetensors$/;

/** The rule, said so that a person can follow it. */
export const CONCEPT_NAME_RULE =
  'a file name of letters, digits, ".", "_" and "-" (at most 80 before the extension) ending in ".safetensors", ' +
  'not starting with "." and without "..", e.g. "my-cat.safetensors"';

/**
 * Whether `name` is a plain file name the concepts folder may hold: it matches
 * {@link CONCEPT_NAME_PATTERN}, is not hidden (temporary files of atomic writes start with ".")
 * and has no "..". Anything with a path separator fails the pattern, so a valid name can only ever
 * name a file directly inside the folder.
 */
export function isConceptName(name: string): boolean {
  return CONCEPT_NAME_PATTERN.test(name) && !name.startsWith('.') && !name.includes('..');
}
