// A cache of patched copies of ONNX models, keyed by the source's fingerprint, weights linked not copied.
export { cachePatchedModel, type CachePatchedModelOptions } from './cache.js';
export { readSourceModel, type SourceModel } from './source-model.js';
export {
  writePatchedModelEntry,
  type CachedPatchedModel,
  type PatchedModelEntryJob,
  type PatchedModelSpec,
  type PatchEntry,
} from './write-entry.js';
export { readPatchedModelEntry, PATCH_MANIFEST, PATCHED_MODEL_FILE, type PatchManifest, type EntryExpectation } from './manifest.js';
export { patchedModelFingerprint, externalFileStats, type ExternalFileStat, type PatchedModelFingerprintInput } from './fingerprint.js';
export { SOURCE_CACHE_FOLDER, PERFUSION_CACHE_DIR_ENV, sourceCacheDir, userCacheDir } from './cache-dir.js';
export {
  placeWeights,
  referenceInlineWeights,
  INLINE_REFERENCE_MIN_BYTES,
  type PlacedWeights,
  type PlaceWeightsOptions,
  type ReferenceInlineOptions,
} from './place-weights.js';
