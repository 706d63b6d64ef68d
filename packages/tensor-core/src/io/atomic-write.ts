import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A temporary sibling path for `target`: `.<name>.<pid>.<12 hex digits>.tmp` in the same folder
 * (so the final rename stays on one file system and is atomic), unique per process and call.
 */
export function temporarySibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The file operations {@link writeFileAtomic} uses; replaceable to simulate failures in tests. */
export interface AtomicWriteIo {
  /** Creates `path` (failing if it exists), writes `bytes`, flushes them to disk and closes it. */
  writeNew(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** The file operations {@link writeFileAtomicSync} uses; replaceable to simulate failures in tests. */
export interface AtomicWriteSyncIo {
  /** Creates `path` (failing if it exists), writes `bytes`, flushes them to disk and closes it. */
  writeNew(path: string, bytes: Uint8Array): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
}

/** The real file system, asynchronously. */
export const nodeAtomicWriteIo: AtomicWriteIo = {
  async writeNew(file, bytes) {
    const handle = await fs.promises.open(file, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (file) => fs.promises.unlink(file),
};

/** The real file system, synchronously. */
export const nodeAtomicWriteSyncIo: AtomicWriteSyncIo = {
  writeNew(file, bytes) {
    const fd = fs.openSync(file, 'wx');
    try {
      for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (file) => fs.unlinkSync(file),
};

/**
 * Writes `bytes` to `target` so that `target` is always either the old file or the complete new
 * one: the bytes go to a fresh {@link temporarySibling}, which is flushed and then renamed over
 * `target` (atomic on POSIX file systems). On any failure the temporary file is removed, `target`
 * is left as it was, and the original error is rethrown. The folder must exist.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, io: AtomicWriteIo = nodeAtomicWriteIo): Promise<void> {
  const temp = temporarySibling(target);
  try {
    await io.writeNew(temp, bytes);
    await io.rename(temp, target);
  } catch (error) {
    await io.unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** {@link writeFileAtomic}, synchronously. */
export function writeFileAtomicSync(target: string, bytes: Uint8Array, io: AtomicWriteSyncIo = nodeAtomicWriteSyncIo): void {
  const temp = temporarySibling(target);
  try {
    io.writeNew(temp, bytes);
    io.rename(temp, target);
  } catch (error) {
    try {
      io.unlink(temp);
    } catch {
      // never created, or already gone
    }
    throw error;
  }
}

/** What {@link renameDirectoryIntoPlace} did. */
export type DirectoryPlacement = 'renamed' | 'kept-existing' | 'replaced-existing';

/**
 * Renames the finished folder `temp` (a sibling of `target`, see {@link temporarySibling}) to
 * `target`, so `target` is either absent or complete. When something is already at `target` — from
 * before the call, or another process renamed its own copy first — `existing(target)` decides:
 * `'keep'` keeps it and removes `temp`; `'replace'` moves it aside, renames `temp` into place and
 * then removes the old folder; it may also throw (then `temp` is left for the caller to remove).
 */
export function renameDirectoryIntoPlace(temp: string, target: string, existing: (target: string) => 'keep' | 'replace'): DirectoryPlacement {
  try {
    fs.renameSync(temp, target);
    return 'renamed';
  } catch (error) {
    // Something is in the way: a non-empty folder (ENOTEMPTY or EEXIST; Windows: EPERM) or a file (ENOTDIR).
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'ENOTDIR') throw error;
  }
  if (existing(target) === 'keep') {
    fs.rmSync(temp, { recursive: true, force: true });
    return 'kept-existing';
  }
  const old = `${temp}.replaced`;
  fs.renameSync(target, old);
  fs.renameSync(temp, target);
  fs.rmSync(old, { recursive: true, force: true });
  return 'replaced-existing';
}
