import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConceptIoError } from './errors.js';

/** The file operations {@link writeFileAtomic} uses; replaceable to simulate failures in tests. */
export interface AtomicWriteIo {
  /** Creates `path` (failing if it exists), writes `bytes`, flushes them to disk and closes it. */
  writeNew(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** The real file system. */
export const nodeAtomicWriteIo: AtomicWriteIo = {
  async writeNew(path, bytes) {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  unlink,
};

/**
 * Writes `bytes` to `path` so that `path` is always either the old file or the complete new one:
 * the bytes go to a fresh temporary file in the same directory (`.<name>.<pid>.<random>.tmp`),
 * which is flushed and then renamed over `path` (atomic on POSIX file systems). On any failure the
 * temporary file is removed, `path` is left as it was, and a {@link ConceptIoError} naming `path`
 * is thrown with the original error as its `cause`.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, io: AtomicWriteIo = nodeAtomicWriteIo): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await io.writeNew(temp, bytes);
    await io.rename(temp, path);
  } catch (error) {
    await io.unlink(temp).catch(() => undefined);
    throw new ConceptIoError(path, 'write', error);
  }
}
