import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalDataInfo, forEachTensor, isExternalTensor, resolveLocation, type ModelProto } from '@perfusion/onnx-graph';
import { TokenEmbeddingCacheError } from './errors.js';
import { TOKEN_EMBEDDING_PATCH_VERSION } from './input-names.js';

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

/**
 * The cache key of an extended text encoder: 32 hex digits of SHA-256 over what the entry is
 * (`text-encoder-added-tokens`), the patch version, the SHA-256 and size of the source
 * `model.onnx`, and its external weight files' locations, sizes, mtimes and inodes. Weight files
 * are not hashed (hundreds of MB): one changed in place changes its mtime, one replaced by a new
 * file changes its inode. The same scheme as the UNet surgery's cache (`@perfusion/unet`).
 */
export function textEncoderFingerprint(modelBytes: Uint8Array, externalFiles: readonly ExternalFileStat[]): string {
  const description = {
    kind: 'text-encoder-added-tokens',
    format: TOKEN_EMBEDDING_PATCH_VERSION,
    model: { sha256: createHash('sha256').update(modelBytes).digest('hex'), size: modelBytes.length },
    external: [...externalFiles].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0)),
  };
  return createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 32);
}

/**
 * The distinct external weight files `model` refers to, with their sizes, mtimes and inodes.
 * @throws TokenEmbeddingCacheError when one is missing.
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
      throw new TokenEmbeddingCacheError(
        `${modelPath} keeps weights in '${location}', but ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); ` +
          'keep the weight files next to model.onnx as exported.',
        { cause },
      );
    }
    return { location: path.posix.normalize(location), size: Number(stat.size), mtimeNs: String(stat.mtimeNs), dev: String(stat.dev), ino: String(stat.ino) };
  });
}
