import * as fs from 'node:fs';
import { temporarySibling } from '@perfusion/tensor-core';

/** How {@link linkOrCopyFile} made a file available. */
export type LinkAction = 'hard-linked' | 'cloned' | 'copied';

/**
 * Makes `source` available as `target` (which must not exist) without copying its bytes: a hard
 * link, else (another file system) a copy-on-write clone where the file system supports one
 * (btrfs, XFS, APFS), else a real copy only when `allowCopy`. Clones and copies go through a
 * temporary sibling and a rename, so `target` never holds half a file. onnxruntime refuses
 * symbolic links out of a model's folder, so those are not an option.
 *
 * @throws the hard link's error (an `ErrnoException`, e.g. `EXDEV`) when none of these worked or
 *   was allowed; callers turn it into their own error, saying what to do.
 */
export function linkOrCopyFile(source: string, target: string, allowCopy: boolean): LinkAction {
  try {
    fs.linkSync(source, target);
    return 'hard-linked';
  } catch (linkError) {
    if (copyAtomically(source, target, fs.constants.COPYFILE_FICLONE_FORCE)) return 'cloned';
    if (allowCopy && copyAtomically(source, target, 0)) return 'copied';
    throw linkError;
  }
}

function copyAtomically(source: string, target: string, mode: number): boolean {
  const temp = temporarySibling(target);
  try {
    fs.copyFileSync(source, temp, mode);
    fs.renameSync(temp, target);
    return true;
  } catch {
    fs.rmSync(temp, { force: true });
    return false;
  }
}
