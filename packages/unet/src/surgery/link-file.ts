import * as fs from 'node:fs';
import { PatchCacheError } from './errors.js';

/** How {@link linkFile} made the file available. */
export type LinkAction = 'hard-linked' | 'cloned' | 'copied';

/**
 * Makes `source` available as `target` without copying its bytes: a hard link, else (another
 * file system) a copy-on-write clone where the file system supports one (btrfs, XFS, APFS), else
 * a real copy only when `allowCopy`. onnxruntime refuses symbolic links out of a model's folder,
 * so those are not an option.
 * @throws PatchCacheError when none of these is possible or allowed.
 */
export function linkFile(source: string, target: string, allowCopy: boolean): LinkAction {
  try {
    fs.linkSync(source, target);
    return 'hard-linked';
  } catch (linkError) {
    try {
      fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE_FORCE);
      return 'cloned';
    } catch {
      // not a copy-on-write file system
    }
    if (allowCopy) {
      fs.copyFileSync(source, target);
      return 'copied';
    }
    const code = (linkError as NodeJS.ErrnoException).code ?? String(linkError);
    throw new PatchCacheError(
      `cannot hard-link ${source} to ${target} (${code}) and the file system cannot clone it. The patched UNet reads ` +
        'its weights from links beside it, which need one file system: pass a cacheDir on the file system of the model ' +
        '(or make the model folder writable), or pass { allowCopy: true } to copy the weights.',
      { cause: linkError },
    );
  }
}
