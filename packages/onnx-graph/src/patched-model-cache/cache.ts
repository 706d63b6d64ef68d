import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareCacheDir, sourceCacheDir, userCacheDir } from './cache-dir.js';
import { externalFileStats, patchedModelFingerprint } from './fingerprint.js';
import { PATCHED_MODEL_FILE, readPatchedModelEntry } from './manifest.js';
import { readSourceModel, type SourceModel } from './source-model.js';
import { writePatchedModelEntry, type CachedPatchedModel, type PatchedModelSpec } from './write-entry.js';

/** Options of {@link cachePatchedModel}. */
export interface CachePatchedModelOptions extends PatchedModelSpec {
  /** Sub-folder of the user cache used when the model's folder is not writable (`'unet-patches'`). */
  readonly cacheSubdir: string;
  /**
   * Folder that holds the entries, one sub-folder per fingerprint. Default: `.perfusion-cache`
   * beside the model; when that cannot be created or written, the user cache (`userCacheDir(cacheSubdir)`).
   * Must be on the model's file system (weights are hard-linked). When given, it is used or an error thrown.
   */
  readonly cacheDir?: string;
  /** Copy weight files that can be neither hard-linked nor cloned (cache on another file system). Default false. */
  readonly allowCopy?: boolean;
}

/** Entries being written in this process, so concurrent callers share one write. */
const pending = new Map<string, Promise<CachedPatchedModel>>();

/**
 * Returns a patched copy of the model at `source`, writing it the first time and reusing it after.
 *
 * The patched graph goes to `<cacheDir>/<fingerprint>/model.onnx`, keyed by the source's
 * fingerprint (see `patchedModelFingerprint`: model.onnx bytes, its weight files' sizes, mtimes
 * and inodes, the extra files, the options, the kind and patch version): a changed source gives a
 * new entry. Weights are never copied: external weight files (one for all tensors, or one per
 * tensor) are hard-linked into the entry under their locations; weights stored inline in
 * model.onnx are referenced in place through a hard link of the source file
 * (`options.sourceLinkName`). An entry is built in a temporary sibling folder and renamed into
 * place, so a crash never leaves a partial entry and concurrent callers (processes too) are safe:
 * the loser of the rename uses the winner's entry.
 *
 * @param source the model file, or one already read with {@link readSourceModel} (to inspect it first).
 * @throws ModelDecodeError when the source cannot be read.
 * @throws PatchedModelCacheError when the cache cannot be written, a weight file of the source is
 *   missing, or the weights cannot be linked (another file system).
 */
export async function cachePatchedModel(source: string | SourceModel, options: CachePatchedModelOptions): Promise<CachedPatchedModel> {
  const model = typeof source === 'string' ? await readSourceModel(source) : source;
  const modelDir = path.dirname(model.path);
  const extraFileBytes = new Map<string, Uint8Array>();
  const extraFiles: Record<string, Uint8Array | undefined> = {};
  for (const [key, name] of Object.entries(options.extraFiles ?? {})) {
    const file = path.join(modelDir, name);
    const bytes = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    extraFiles[key] = bytes;
    if (bytes !== undefined) extraFileBytes.set(name, bytes);
  }
  const fingerprint = patchedModelFingerprint({
    ...(options.kind !== undefined ? { kind: options.kind } : {}),
    patchVersion: options.patchVersion,
    ...(options.options !== undefined ? { options: options.options } : {}),
    modelBytes: model.bytes,
    externalFiles: externalFileStats(model.model, modelDir, model.path),
    extraFiles,
  });

  const candidates = options.cacheDir !== undefined ? [path.resolve(options.cacheDir)] : [sourceCacheDir(model.path), userCacheDir(options.cacheSubdir)];
  const expected = { kind: options.kind, patchVersion: options.patchVersion, fingerprint, accept: options.accept };
  for (const dir of candidates) {
    const entryDir = path.join(dir, fingerprint);
    const manifest = readPatchedModelEntry(entryDir, expected);
    if (manifest !== undefined) return { modelPath: path.join(entryDir, PATCHED_MODEL_FILE), entryDir, sourcePath: model.path, fingerprint, reused: true, manifest };
  }
  const cacheDir =
    options.cacheDir !== undefined
      ? prepareCacheDir(candidates[0]!, true, options.label)!
      : (prepareCacheDir(candidates[0]!, false, options.label) ?? prepareCacheDir(candidates[1]!, true, options.label)!);
  const entryDir = path.join(cacheDir, fingerprint);
  let job = pending.get(entryDir);
  if (job === undefined) {
    job = Promise.resolve()
      .then(() => writePatchedModelEntry({ ...options, source: model, fingerprint, entryDir, extraFileBytes }))
      .finally(() => pending.delete(entryDir));
    pending.set(entryDir, job);
  }
  return job;
}
