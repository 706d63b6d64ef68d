import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PatchedModelCacheError } from '../errors.js';
import { externalDataInfo, isExternalTensor } from '../external-data/info.js';
import { resolveLocation } from '../external-data/location.js';
import type { ModelProto } from '../gen/onnx_pb.js';
import { forEachTensor } from '../tensor-walk.js';

/** One external weight file of a source model, as the fingerprint sees it. */
export interface ExternalFileStat {
  /** The location stored in the model (relative to its folder). */
  readonly location: string;
  readonly size: number;
  /** Modification time in nanoseconds, device and inode: a file rewritten or replaced gives a new fingerprint. */
  readonly mtimeNs: string;
  readonly dev: string;
  readonly ino: string;
}

/** What a patched model depends on (see {@link patchedModelFingerprint}). */
export interface PatchedModelFingerprintInput {
  /** What the entry is (e.g. `'text-encoder-added-tokens'`); left out of the hash when not given. */
  readonly kind?: string;
  /** Version of the patch's output: bump it whenever entries written by older code must not be reused. */
  readonly patchVersion: number;
  /** Options that change the patched graph (JSON); left out of the hash when not given. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The bytes of the source `model.onnx`. */
  readonly modelBytes: Uint8Array;
  /** Its external weight files (see {@link externalFileStats}). */
  readonly externalFiles: readonly ExternalFileStat[];
  /** Other files the entry depends on, by key (e.g. `config`): their bytes, or undefined when absent. */
  readonly extraFiles?: Readonly<Record<string, Uint8Array | undefined>>;
}

/**
 * The cache key of a patched model: 32 hex digits of SHA-256 over the kind, the patch version, the
 * options, the SHA-256 and size of `model.onnx`, its external files' locations, sizes, mtimes and
 * inodes, and the SHA-256 of each extra file (null when absent). Weight files are not hashed
 * (gigabytes): a weight file changed in place changes its mtime; one replaced by a new file
 * changes its inode.
 */
export function patchedModelFingerprint(input: PatchedModelFingerprintInput): string {
  const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const extra: Record<string, string | null> = {};
  for (const [key, bytes] of Object.entries(input.extraFiles ?? {})) extra[key] = bytes === undefined ? null : digest(bytes);
  const description = {
    ...(input.kind !== undefined ? { kind: input.kind } : {}),
    format: input.patchVersion,
    ...(input.options !== undefined ? { options: input.options } : {}),
    model: { sha256: digest(input.modelBytes), size: input.modelBytes.length },
    external: [...input.externalFiles].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0)),
    ...extra,
  };
  return createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 32);
}

/**
 * The distinct external weight files `model` (read from `modelPath` in `modelDir`) refers to, with
 * their sizes, mtimes and inodes.
 * @throws PatchedModelCacheError when one is missing.
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
      throw new PatchedModelCacheError(
        `${modelPath} keeps weights in '${location}', but ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); ` +
          'keep the weight files next to model.onnx as exported.',
        { cause },
      );
    }
    return { location: path.posix.normalize(location), size: Number(stat.size), mtimeNs: String(stat.mtimeNs), dev: String(stat.dev), ino: String(stat.ino) };
  });
}
