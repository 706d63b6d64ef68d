import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlacedWeights } from './place-weights.js';

/** The record written beside each patched model in its cache entry. */
export const PATCH_MANIFEST = 'perfusion-patch.json';

/** The file name of the patched model in a cache entry. */
export const PATCHED_MODEL_FILE = 'model.onnx';

/**
 * What {@link PATCH_MANIFEST} records: the fields below, then whatever the patch added, then the
 * weight files. Paths in it are relative to the entry, except `source`.
 */
export interface PatchManifest {
  readonly kind?: string;
  /** The patch version. */
  readonly format: number;
  readonly fingerprint: string;
  /** The source model, absolute. */
  readonly source: string;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly weights: readonly PlacedWeights[];
  readonly [field: string]: unknown;
}

/** What a reusable entry must be. */
export interface EntryExpectation {
  readonly kind?: string;
  readonly patchVersion: number;
  readonly fingerprint: string;
  /** Further checks of the fields the patch recorded; false: the entry is not reused (and is replaced). */
  readonly accept?: (manifest: PatchManifest, entryDir: string) => boolean;
}

/**
 * The manifest of the entry at `entryDir` when it is a finished patch of this kind, version and
 * fingerprint with its model and every weight file it names (and `accept` agrees); else undefined.
 */
export function readPatchedModelEntry(entryDir: string, expected: EntryExpectation): PatchManifest | undefined {
  let record: Partial<PatchManifest>;
  try {
    record = JSON.parse(fs.readFileSync(path.join(entryDir, PATCH_MANIFEST), 'utf8')) as Partial<PatchManifest>;
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object') return undefined;
  if (record.kind !== expected.kind || record.format !== expected.patchVersion || record.fingerprint !== expected.fingerprint) return undefined;
  if (!fs.existsSync(path.join(entryDir, PATCHED_MODEL_FILE))) return undefined;
  const weights = Array.isArray(record.weights) ? record.weights : [];
  if (!weights.every((w) => typeof w?.location === 'string' && fs.existsSync(path.join(entryDir, ...w.location.split('/'))))) return undefined;
  const manifest = { ...record, weights } as PatchManifest;
  return expected.accept === undefined || expected.accept(manifest, entryDir) ? manifest : undefined;
}
