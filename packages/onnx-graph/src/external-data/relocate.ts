import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExternalDataError } from '../errors.js';
import type { ModelProto, TensorProto } from '../gen/onnx_pb.js';
import { forEachTensor } from '../tensor-walk.js';
import { isExternalTensor } from './info.js';
import { linkOrCopyFile } from './link-file.js';
import { normalizeLocation } from './location.js';

/** Options of {@link relocateExternalData}. */
export interface RelocateOptions {
  /**
   * When a weight file can be neither hard-linked nor cloned (the two folders are on different
   * file systems), copy it instead of failing. Off by default: copying gigabytes is rarely what
   * the caller expects.
   */
  readonly allowCopy?: boolean;
}

/** How a weight file was made available in the destination folder. */
export type RelocationAction = 'same-folder' | 'already-present' | 'hard-linked' | 'cloned' | 'copied';

/** One weight file handled by {@link relocateExternalData}. */
export interface RelocatedFile {
  /** The location stored in the model (relative, normalised). */
  readonly location: string;
  /** The file the data come from (symlinks resolved). */
  readonly source: string;
  /** Where the destination model will look for it. */
  readonly target: string;
  readonly action: RelocationAction;
}

/**
 * Prepares a model whose external data live in `fromDir` to be written into `toDir`, without
 * copying weights.
 *
 * onnxruntime (checked with 1.30) only opens external data that resolves inside the model's
 * folder: it rejects absolute locations, `../` locations, and symbolic links (file or folder)
 * whose target lies outside — it resolves links before checking. A hard link is an ordinary
 * directory entry, so it passes. This function therefore hard-links each weight file into
 * `toDir` under the same relative location (the locations in the model stay valid, only
 * normalised in place). Where hard links are impossible (another file system) it tries a
 * copy-on-write clone (btrfs, XFS, APFS), and only copies when `allowCopy` is set.
 *
 * A hard link shares the file's contents: rewriting the original weight file in place changes
 * both models. Writers in this package replace files by rename, which leaves existing links intact.
 *
 * @throws ExternalDataError when a weight file is missing, when a different file already occupies
 *   the target location, or when the file can be neither linked nor cloned (and copying is off).
 */
export function relocateExternalData(
  model: ModelProto,
  fromDir: string,
  toDir: string,
  options: RelocateOptions = {},
): RelocatedFile[] {
  const byLocation = normaliseLocations(model);
  const sameFolder = sameDirectory(fromDir, toDir);
  const files: RelocatedFile[] = [];
  for (const [location, owner] of byLocation) {
    const source = existingSource(fromDir, location, owner);
    const target = path.resolve(toDir, ...location.split('/'));
    const action = sameFolder ? 'same-folder' : placeFile(source, target, options);
    files.push({ location, source, target, action });
  }
  return files;
}

/** Normalises every external location in place; returns each distinct location with a tensor using it. */
function normaliseLocations(model: ModelProto): Map<string, string> {
  const byLocation = new Map<string, string>();
  forEachTensor(model, (tensor: TensorProto, owner: string) => {
    if (!isExternalTensor(tensor)) return;
    for (const entry of tensor.externalData) {
      if (entry.key !== 'location') continue;
      entry.value = normalizeLocation(entry.value, owner);
      if (!byLocation.has(entry.value)) byLocation.set(entry.value, owner);
    }
  });
  return byLocation;
}

function sameDirectory(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

function existingSource(fromDir: string, location: string, owner: string): string {
  const declared = path.resolve(fromDir, ...location.split('/'));
  try {
    // Link the real file, not a symlink to it: onnxruntime would refuse a linked symlink.
    return fs.realpathSync(declared);
  } catch (cause) {
    throw new ExternalDataError(
      `${owner} keeps its data in '${location}', but ${declared} does not exist; ` +
        `pass the folder the model was read from as the source folder`,
      { cause },
    );
  }
}

function placeFile(source: string, target: string, options: RelocateOptions): RelocationAction {
  const existing = lstatOrUndefined(target);
  if (existing?.isSymbolicLink() === true) {
    throw new ExternalDataError(
      `${target} is a symbolic link; onnxruntime refuses external data reached through links out of the ` +
        'model folder, so remove it and relocate again (a hard link will be created)',
    );
  }
  if (existing !== undefined) {
    const original = fs.statSync(source);
    if (existing.dev === original.dev && existing.ino === original.ino) return 'already-present';
    throw new ExternalDataError(
      `cannot link weight file ${source} to ${target}: a different file already exists there; ` +
        'remove it or write the model to another folder',
    );
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    return linkOrCopyFile(source, target, options.allowCopy === true);
  } catch (linkError) {
    const code = (linkError as NodeJS.ErrnoException).code ?? String(linkError);
    throw new ExternalDataError(
      `cannot hard-link weight file ${source} to ${target} (${code}), and the file system cannot clone it. ` +
        'onnxruntime only reads external data inside the model folder (symlinks out of it are refused), so ' +
        'write the model to a folder on the same file system as its weights, or pass { allowCopy: true } to copy them',
      { cause: linkError },
    );
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}
