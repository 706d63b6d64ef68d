import { externalFileStats as statExternalFiles, patchedModelFingerprint, type ExternalFileStat, type ModelProto } from '@perfusion/onnx-graph';
import { asPatchCacheError } from './errors.js';

/**
 * Version of the patched graph's layout (input names and shapes, inserted nodes, file layout of a
 * cache entry). Part of every cache key: bump it whenever a patch written by older code must not
 * be reused.
 */
export const PATCH_FORMAT_VERSION = 1;

export type { ExternalFileStat };

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

/** How the UNet patch describes itself to onnx-graph's `patchedModelFingerprint` (and `cachePatchedModel`). */
export function fingerprintSpec(separateKeyStates: boolean): { readonly patchVersion: number; readonly options: { readonly separateKeyStates: boolean } } {
  return { patchVersion: PATCH_FORMAT_VERSION, options: { separateKeyStates } };
}

/**
 * The cache key of a patched UNet: 32 hex digits of SHA-256 over the patch format version, the
 * options, the SHA-256 of `model.onnx`, its external files' locations, sizes, mtimes and inodes,
 * and `config.json` (onnx-graph's `patchedModelFingerprint`). Weight files are not hashed
 * (gigabytes): a weight file changed in place changes its mtime; one replaced by a new file
 * changes its inode.
 */
export function sourceFingerprint(source: FingerprintSource): string {
  return patchedModelFingerprint({
    ...fingerprintSpec(source.options.separateKeyStates),
    modelBytes: source.modelBytes,
    externalFiles: source.externalFiles,
    extraFiles: { config: source.configBytes },
  });
}

/**
 * The distinct external weight files `model` refers to, with their sizes, mtimes and inodes.
 * @throws PatchCacheError when one is missing.
 */
export function externalFileStats(model: ModelProto, modelDir: string, modelPath: string): ExternalFileStat[] {
  try {
    return statExternalFiles(model, modelDir, modelPath);
  } catch (error) {
    throw asPatchCacheError(error);
  }
}
