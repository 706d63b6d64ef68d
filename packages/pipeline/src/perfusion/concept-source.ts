import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import {
  CONCEPT_MAX_FILE_BYTES,
  ConceptIoError,
  decodeConcept,
  encodeConcept,
  FileTooLargeError,
  type ConceptExpectation,
  type ConceptFile,
} from '@perfusion/concept-format';

/** A concept read and validated for one model. */
export interface LoadedConcept {
  /**
   * Identity of its contents: SHA-256 of the file's bytes (a path), or of the bytes the object
   * encodes to (a {@link ConceptFile}). The pipeline caches directions and rows under it, so an
   * edited file is picked up and the same concept given twice is prepared once.
   */
  readonly key: string;
  readonly concept: ConceptFile;
  /** The file's absolute path; undefined for an object. */
  readonly file: string | undefined;
}

/**
 * Reads (a path) or re-checks (an object) a concept with `@perfusion/concept-format`'s strict
 * validation and, given `expect`, its compatibility with the model. Errors are concept-format's
 * typed errors, naming the file (or `label` for an object) and the field.
 */
export async function loadConceptSource(source: string | ConceptFile, label: string, expect?: ConceptExpectation): Promise<LoadedConcept> {
  if (typeof source === 'string') {
    const file = path.resolve(source);
    let bytes: Uint8Array;
    try {
      const { size } = await stat(file);
      if (size > CONCEPT_MAX_FILE_BYTES) throw new FileTooLargeError(file, size, CONCEPT_MAX_FILE_BYTES);
      bytes = await readFile(file);
    } catch (error) {
      if (error instanceof FileTooLargeError) throw error;
      throw new ConceptIoError(file, 'read', error);
    }
    const concept = decodeConcept(bytes, { source: file, ...(expect === undefined ? {} : { expect }) });
    return { key: digest(bytes), concept, file };
  }
  // An object gets the writer's checks (shapes, finite values, metadata) and the reader's, as a file would.
  const bytes = encodeConcept(source, { target: label, dtype: 'float32' });
  const concept = decodeConcept(bytes, { source: label, ...(expect === undefined ? {} : { expect }) });
  return { key: digest(bytes), concept, file: undefined };
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
