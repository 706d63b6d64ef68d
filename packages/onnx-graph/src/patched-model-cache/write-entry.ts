import * as fs from 'node:fs';
import * as path from 'node:path';
import { renameDirectoryIntoPlace, temporarySibling } from '@perfusion/tensor-core';
import { ExternalDataError, PatchedModelCacheError } from '../errors.js';
import type { ModelProto, TensorProto } from '../gen/onnx_pb.js';
import { writeModelSync } from '../model-file.js';
import { PATCH_MANIFEST, PATCHED_MODEL_FILE, readPatchedModelEntry, type PatchManifest } from './manifest.js';
import { placeWeights, type PlacedWeights } from './place-weights.js';
import type { SourceModel } from './source-model.js';

/** The entry being built, as the patch sees it. */
export interface PatchEntry {
  /** The temporary folder that becomes the entry: files the patch writes go here. */
  readonly dir: string;
  readonly source: SourceModel;
  /**
   * Places the model's weights in {@link dir} (see `placeWeights`), after the graph edit. Called
   * for the patch when it does not call it itself; call it from the patch to reference some
   * tensors in place whatever their size, or to look at where tensors ended up. Once per entry.
   */
  placeWeights(options?: { readonly reference?: readonly TensorProto[] }): readonly PlacedWeights[];
  /** Records a weight file the patch wrote into {@link dir} itself. */
  addWeights(file: PlacedWeights): void;
}

/** What a patch is and how its entries are named; shared by {@link cachePatchedModel} and {@link writePatchedModelEntry}. */
export interface PatchedModelSpec {
  /** What the patched model is, for messages: `'patched UNet'` gives "the patched-UNet cache", "the patched UNet reads…". */
  readonly label: string;
  /** What the entry is (e.g. `'text-encoder-added-tokens'`): in the fingerprint and manifest when given; entries of another kind are not reused. */
  readonly kind?: string;
  /** Version of the patch's output: in the fingerprint and manifest; bump it when older entries must not be reused. */
  readonly patchVersion: number;
  /** Options that change the patched graph (JSON): in the fingerprint and manifest when given. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Files beside the source model the entry depends on, by fingerprint key (`{ config: 'config.json' }`):
   * each is hashed into the fingerprint (null when absent) and copied into the entry when present.
   */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** Name of the hard link to the source file that supplies inline weights (`'unpatched-model.onnx'`). */
  readonly sourceLinkName: string;
  /**
   * Edits `model` (the source's decoded copy) in place — e.g. `model.graph = patched(model.graph)` —
   * and returns fields to record in the manifest. Runs once per entry written, never on reuse.
   */
  readonly patch: (model: ModelProto, entry: PatchEntry) => Readonly<Record<string, unknown>> | void;
  /** Further checks of a found entry's manifest before it is reused (fields `patch` recorded). */
  readonly accept?: (manifest: PatchManifest, entryDir: string) => boolean;
}

/** A patched model in the cache. */
export interface CachedPatchedModel {
  /** The patched `model.onnx`. */
  readonly modelPath: string;
  /** Its entry folder, `<cacheDir>/<fingerprint>`. */
  readonly entryDir: string;
  /** The source model, absolute. */
  readonly sourcePath: string;
  /** The cache key: 32 hex digits (see `patchedModelFingerprint`). */
  readonly fingerprint: string;
  /** Whether an existing entry was used (nothing written). */
  readonly reused: boolean;
  /** The entry's record, with the fields the patch added. */
  readonly manifest: PatchManifest;
}

/** One entry to write (see {@link writePatchedModelEntry}). */
export interface PatchedModelEntryJob extends PatchedModelSpec {
  readonly source: SourceModel;
  readonly fingerprint: string;
  /** `<cacheDir>/<fingerprint>`; its parent must exist. */
  readonly entryDir: string;
  /** The extra files' bytes by file name (those present), copied into the entry. */
  readonly extraFileBytes?: ReadonlyMap<string, Uint8Array>;
  /** Copy weight files that can be neither hard-linked nor cloned. Default false. */
  readonly allowCopy?: boolean;
  /** Where the source's external weights are; default the source model's folder. */
  readonly sourceDir?: string;
}

/**
 * Builds the cache entry `job.entryDir`: patches `job.source.model` in place, places its weights
 * without copying them, writes the patched model, the extra files and the manifest into a
 * temporary sibling folder, and renames that into place. When another writer got there first,
 * its entry is kept (when complete; a broken one is replaced) and this one discarded.
 *
 * @throws PatchedModelCacheError when the weights cannot be placed beside the patched model, or
 *   the entry is incomplete after the rename; whatever `patch` throws.
 */
export function writePatchedModelEntry(job: PatchedModelEntryJob): CachedPatchedModel {
  const { source, entryDir } = job;
  const expected = { kind: job.kind, patchVersion: job.patchVersion, fingerprint: job.fingerprint, accept: job.accept };
  const temp = temporarySibling(entryDir);
  fs.mkdirSync(temp);
  try {
    const weights: PlacedWeights[] = [];
    let placed = false;
    const entry: PatchEntry = {
      dir: temp,
      source,
      placeWeights(options = {}) {
        if (placed) throw new Error('placeWeights: the weights of this entry were placed already');
        placed = true;
        const placeOptions = { sourceLinkName: job.sourceLinkName, allowCopy: job.allowCopy === true, label: job.label, alwaysReference: options.reference ?? [] };
        weights.push(...placeWeights(source, temp, job.sourceDir !== undefined ? { ...placeOptions, sourceDir: job.sourceDir } : placeOptions));
        return [...weights];
      },
      addWeights(file) {
        weights.push(file);
      },
    };
    const fields = job.patch(source.model, entry) ?? {};
    if (!placed) entry.placeWeights();
    writeModelSync(source.model, path.join(temp, PATCHED_MODEL_FILE));
    for (const [name, bytes] of job.extraFileBytes ?? []) fs.writeFileSync(path.join(temp, name), bytes);
    const manifest: PatchManifest = {
      ...(job.kind !== undefined ? { kind: job.kind } : {}),
      format: job.patchVersion,
      fingerprint: job.fingerprint,
      source: source.path,
      ...(job.options !== undefined ? { options: job.options } : {}),
      ...fields,
      weights,
    };
    fs.writeFileSync(path.join(temp, PATCH_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameDirectoryIntoPlace(temp, entryDir, () => (readPatchedModelEntry(entryDir, expected) !== undefined ? 'keep' : 'replace'));
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (error instanceof ExternalDataError) {
      throw new PatchedModelCacheError(`${source.path}: cannot place its weights beside the ${job.label} in ${entryDir}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const manifest = readPatchedModelEntry(entryDir, expected);
  if (manifest === undefined) throw new PatchedModelCacheError(`${entryDir}: the ${job.label} just written is incomplete; delete the folder and try again.`);
  return { modelPath: path.join(entryDir, PATCHED_MODEL_FILE), entryDir, sourcePath: source.path, fingerprint: job.fingerprint, reused: false, manifest };
}
