import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalDataInfo, forEachTensor, isExternalTensor, resolveLocation, type ModelProto } from '@perfusion/onnx-graph';
import { PatchCacheError } from './errors.js';

/**
 * Version of the patched graph's layout (input names and shapes, inserted nodes, file layout of a
 * cache entry). Part of every cache key: bump it whenever a patch written by older code must not
 * be reused.
 */
export const PATCH_FORMAT_VERSION = 1;

/** One external weight file of the source model, as the fingerprint sees it. */
export interface ExternalFileStat {
  /** The location stored in the model (relative to its folder). */
  readonly location: string;
  readonly size: number;
  /** Modification time in nanoseconds, device and inode: a file rewritten or replaced gives a new fingerprint. */
  readonly mtimeNs: string;
  readonly dev: string;
  readonly ino: string;
}

/** What a patched UNet depends on. */
export interface FingerprintSource {
  /** The bytes of the source `model.onnx`. */
  readonly modelBytes: Uint8Array;
  /** Its external weight files (see {@link externalFileStats}). */
  readonly externalFiles: readonly ExternalFileStat[];
  /** The bytes of `config.json` beside the model, when there is one (it is copied into the entry). */
  readonly configBytes?: Uint8Array;
  /** The patch options that change the graph. */
  readonly options: { readonly separateKeyStates: boolean };
}

/**
 * The cache key of a patched UNet: 32 hex digits of SHA-256 over the patch format version, the
 * options, the SHA-256 of `model.onnx`, its external files' locations, sizes, mtimes and inodes,
 * and `config.json`. Weight files are not hashed (gigabytes): a weight file changed in place
 * changes its mtime; one replaced by a new file changes its inode.
 */
export function sourceFingerprint(source: FingerprintSource): string {
  const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const description = {
    format: PATCH_FORMAT_VERSION,
    options: { separateKeyStates: source.options.separateKeyStates },
    model: { sha256: digest(source.modelBytes), size: source.modelBytes.length },
    external: [...source.externalFiles].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0)),
    config: source.configBytes === undefined ? null : digest(source.configBytes),
  };
  return createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 32);
}

/**
 * The distinct external weight files `model` refers to, with their sizes, mtimes and inodes.
 * @throws PatchCacheError when one is missing.
 */
export function externalFileStats(model: ModelProto, modelDir: string, modelPath: string): ExternalFileStat[] {
  const locations = new Set<string>();
  forEachTensor(model, (tensor) => {
    if (isExternalTensor(tensor)) locations.add(externalDataInfo(tensor).location);
  });
  return [...locations].map((location) => {
    const file = resolveLocation(modelDir, location, `external data of ${modelPath}`);
    let stat: fs.BigIntStats;
    try {
      stat = fs.statSync(file, { bigint: true });
    } catch (cause) {
      throw new PatchCacheError(
        `${modelPath} keeps weights in '${location}', but ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); ` +
          'keep the weight files next to model.onnx as exported.',
        { cause },
      );
    }
    return { location: path.posix.normalize(location), size: Number(stat.size), mtimeNs: String(stat.mtimeNs), dev: String(stat.dev), ino: String(stat.ino) };
  });
}
