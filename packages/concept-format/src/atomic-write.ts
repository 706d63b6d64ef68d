import { nodeAtomicWriteIo, writeFileAtomic as writeAtomically, type AtomicWriteIo } from '@perfusion/tensor-core';
import { ConceptIoError } from './errors.js';

// The file operations and the real file system are tensor-core's; re-exported so this package's API stays whole.
export { nodeAtomicWriteIo, type AtomicWriteIo };

/**
 * Writes `bytes` to `path` so that `path` is always either the old file or the complete new one:
 * the bytes go to a fresh temporary file in the same directory (`.<name>.<pid>.<random>.tmp`),
 * which is flushed and then renamed over `path` (atomic on POSIX file systems; tensor-core's
 * `writeFileAtomic`). On any failure the temporary file is removed, `path` is left as it was, and
 * a {@link ConceptIoError} naming `path` is thrown with the original error as its `cause`.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, io: AtomicWriteIo = nodeAtomicWriteIo): Promise<void> {
  try {
    await writeAtomically(path, bytes, io);
  } catch (error) {
    throw new ConceptIoError(path, 'write', error);
  }
}
