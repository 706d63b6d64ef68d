import { readBoundedFile } from '../read-bounded-file.js';
import { writeFileAtomic, type AtomicWriteIo } from '../atomic-write.js';
import { FileTooLargeError } from '../errors.js';
import { decodeConceptDetailed, type DecodedConcept } from './decode.js';
import { encodeConcept } from './encode.js';
import { CONCEPT_MAX_FILE_BYTES } from './layout.js';
import type { ConceptDType, ConceptExpectation, ConceptFile, ConceptToWrite } from './types.js';

export interface WriteConceptOptions {
  /** Element type of the stored tensors; default `'float32'`. */
  dtype?: ConceptDType;
  /** File operations, replaceable to simulate failures (tests); default the real file system. */
  io?: AtomicWriteIo;
}

/**
 * Validates and encodes `concept` (see {@link encodeConcept}), then writes it to `path` atomically
 * (temp file + rename): an invalid concept throws before anything touches the disk, and a failed
 * write leaves no temp file and never a half-written `path`. Returns the number of bytes written.
 */
export async function writeConcept(path: string, concept: ConceptToWrite, options: WriteConceptOptions = {}): Promise<{ path: string; byteLength: number }> {
  const bytes = encodeConcept(concept, { dtype: options.dtype ?? 'float32', target: path });
  await writeFileAtomic(path, bytes, options.io);
  return { path, byteLength: bytes.length };
}

/**
 * Reads and strictly validates a concept file (see {@link decodeConcept}) from a path or from its
 * bytes. With `expect`, also checks it fits the model (base-model fingerprint, layers and widths,
 * encoding and embedding widths) and throws a typed error naming the file and field otherwise.
 */
export async function readConcept(pathOrBytes: string | Uint8Array, expect?: ConceptExpectation): Promise<ConceptFile> {
  return (await loadConcept(pathOrBytes, expect)).concept;
}

/** Reads a concept with its container facts; shared by {@link readConcept} and {@link inspectConcept}. */
export async function loadConcept(pathOrBytes: string | Uint8Array, expect?: ConceptExpectation): Promise<DecodedConcept> {
  if (typeof pathOrBytes !== 'string') return decodeConceptDetailed(pathOrBytes, expect ? { expect } : {});
  const path = pathOrBytes;
  const bytes = await readBoundedFile(path, CONCEPT_MAX_FILE_BYTES, (size) => new FileTooLargeError(path, size, CONCEPT_MAX_FILE_BYTES));
  return decodeConceptDetailed(bytes, expect ? { source: path, expect } : { source: path });
}
