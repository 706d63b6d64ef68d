import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A temporary sibling path for `target`: same folder (so the final rename stays on one file
 * system and is atomic), unique per process and call, recognisable by its `.tmp-` infix.
 */
export function temporarySibling(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `bytes` to `target` atomically: to a temporary sibling first, flushed to disk, then
 * renamed over the target, so a crash never leaves a half-written file under the final name.
 */
export function writeFileAtomicSync(target: string, bytes: Uint8Array): void {
  const temp = temporarySibling(target);
  try {
    const fd = fs.openSync(temp, 'w');
    try {
      let written = 0;
      while (written < bytes.length) {
        written += fs.writeSync(fd, bytes, written, bytes.length - written);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
