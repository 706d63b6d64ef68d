import {
  cachePatchedModel,
  readPatchedModelEntry,
  readSourceModel,
  valueDType,
  writePatchedModelEntry,
  type ModelProto,
  type PatchedModelSpec,
} from '@perfusion/onnx-graph';
import { HIDDEN_STATES_INPUT, type FloatDType } from '../model-io.js';
import { USER_CACHE_SUBDIR } from './cache-dir.js';
import { asPatchCacheError } from './errors.js';
import { findCrossAttentionLayers } from './find-cross-attention.js';
import { perfusionInputNames, type PerfusionInputNames } from './input-names.js';
import type { CrossAttentionLayer } from './layers.js';
import { patchCrossAttention } from './patch-graph.js';
import { fingerprintSpec, PATCH_FORMAT_VERSION } from './source-fingerprint.js';

/** Options of {@link patchUnetForPerfusion}. */
export interface PatchUnetOptions {
  /**
   * Folder that holds patched models, one sub-folder per fingerprint. Default: `.perfusion-cache`
   * beside the model; when that cannot be created or written, the user cache
   * (`$PERFUSION_CACHE_DIR/unet-patches`, else `$XDG_CACHE_HOME/perfusion/unet-patches`, else
   * `~/.cache/perfusion/unet-patches`). Must be on the model's file system (weights are hard-linked).
   */
  readonly cacheDir?: string;
  /** Give the K projections their own input `perfusion_key_states` (global locking). Default false. */
  readonly separateKeyStates?: boolean;
  /**
   * Copy weight files that can be neither hard-linked nor cloned (cache on another file system).
   * Default false: fail with {@link PatchCacheError} rather than silently copy gigabytes.
   */
  readonly allowCopy?: boolean;
}

/** A patched UNet in the cache. */
export interface PatchedUnet {
  /** The patched `model.onnx`: open it with `UNet.create` (its `config.json` is beside it). */
  readonly modelPath: string;
  /** The original model, absolute. */
  readonly sourcePath: string;
  /** The cross-attention layers, in graph order. */
  readonly layers: readonly CrossAttentionLayer[];
  /** The cache key: 32 hex digits (see `sourceFingerprint`). */
  readonly fingerprint: string;
  /** Element type of the coefficient and row inputs (the projection weights' type). */
  readonly dtype: FloatDType;
  /** Element type of `encoder_hidden_states` (and of `perfusion_key_states`). */
  readonly hiddenStatesDType: FloatDType;
  readonly separateKeyStates: boolean;
  /** The inputs the patch added. */
  readonly inputs: PerfusionInputNames;
  /** Whether an existing cache entry was used (nothing written). */
  readonly reused: boolean;
}

/** The record written beside each patched model (onnx-graph's patched-model cache's manifest). */
export { PATCH_MANIFEST } from '@perfusion/onnx-graph';
/** The name under which the source model.onnx is linked when its weights are inline. */
export const SOURCE_WEIGHTS_LINK = 'unpatched-model.onnx';
const CONFIG_FILE = 'config.json';

type PatchBase = Omit<PatchedUnet, 'modelPath' | 'reused'>;

/**
 * Returns a copy of the UNet at `modelPath` whose cross-attention K and V projections take
 * Perfusion's inputs (see `patchCrossAttention`), writing it the first time and reusing it after.
 *
 * The cache is onnx-graph's `cachePatchedModel`: the patched graph goes to
 * `<cacheDir>/<fingerprint>/model.onnx`, keyed by the source's fingerprint (model.onnx bytes, its
 * weight files' sizes, mtimes and inodes, config.json, the options, the patch format version): a
 * changed source gives a new entry. Weights are never copied: external weight files (one for all
 * tensors, or one per tensor) are hard-linked into the entry under their locations; weights stored
 * inline in model.onnx are referenced in place through a hard link of the source file
 * (`unpatched-model.onnx`). `config.json` is copied. An entry is built in a temporary sibling
 * folder and renamed into place, so a crash never leaves a partial entry and concurrent callers
 * (processes too) are safe: the loser of the rename uses the winner's entry.
 *
 * @throws NoCrossAttentionError when the graph has no cross-attention (names the file).
 * @throws CrossAttentionStructureError, AlreadyPatchedError — see `findCrossAttentionLayers`, `patchCrossAttention`.
 * @throws PatchCacheError when the cache cannot be written, or the weights cannot be linked (another file system).
 */
export async function patchUnetForPerfusion(modelPath: string, options: PatchUnetOptions = {}): Promise<PatchedUnet> {
  const separateKeyStates = options.separateKeyStates === true;
  const source = await readSourceModel(modelPath, 'a UNet model.onnx');
  const graph = source.model.graph!;
  const layers = findCrossAttentionLayers(graph, source.path);
  const patch: Omit<PatchBase, 'fingerprint'> = {
    sourcePath: source.path,
    layers,
    dtype: layers[0]!.k.dtype,
    hiddenStatesDType: valueDType(graph.input.find((i) => i.name === HIDDEN_STATES_INPUT)!) as FloatDType,
    separateKeyStates,
    inputs: perfusionInputNames(layers, separateKeyStates),
  };
  try {
    const cached = await cachePatchedModel(source, {
      ...unetPatch(patch),
      cacheSubdir: USER_CACHE_SUBDIR,
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      allowCopy: options.allowCopy === true,
    });
    return { modelPath: cached.modelPath, ...patch, fingerprint: cached.fingerprint, reused: cached.reused };
  } catch (error) {
    throw asPatchCacheError(error);
  }
}

/** The UNet patch as onnx-graph's patched-model cache runs it. */
function unetPatch(base: Omit<PatchBase, 'fingerprint'>): PatchedModelSpec {
  return {
    label: 'patched UNet',
    ...fingerprintSpec(base.separateKeyStates),
    extraFiles: { config: CONFIG_FILE },
    sourceLinkName: SOURCE_WEIGHTS_LINK,
    patch: (model) => {
      model.graph = patchCrossAttention(model.graph!, base.layers, { separateKeyStates: base.separateKeyStates, modelPath: base.sourcePath });
      return {
        dtype: base.dtype,
        layers: base.layers.map((l) => ({ key: l.key, width: l.width, dim: l.dim, k: l.k.name, v: l.v.name, inputs: base.inputs.rows.get(l.key) })),
      };
    },
  };
}

interface EntryJob {
  /** The source model decoded from `bytes`; edited in place. */
  readonly model: ModelProto;
  readonly bytes: Uint8Array;
  readonly base: PatchBase;
  /** The folder of the source model (its external weights are there). */
  readonly modelDir: string;
  readonly configBytes: Uint8Array | undefined;
  readonly entry: string;
  readonly allowCopy: boolean;
}

/**
 * Builds the cache entry `job.entry` in a temporary sibling folder and renames it into place
 * (onnx-graph's `writePatchedModelEntry`). When another writer got there first, its entry is used
 * and this one is discarded. Exported for tests.
 */
export function writePatchEntry(job: EntryJob): PatchedUnet {
  const { base } = job;
  try {
    const written = writePatchedModelEntry({
      ...unetPatch(base),
      source: { path: base.sourcePath, bytes: job.bytes, model: job.model },
      fingerprint: base.fingerprint,
      entryDir: job.entry,
      extraFileBytes: new Map(job.configBytes !== undefined ? [[CONFIG_FILE, job.configBytes]] : []),
      allowCopy: job.allowCopy,
      sourceDir: job.modelDir,
    });
    return { ...base, modelPath: written.modelPath, reused: false };
  } catch (error) {
    throw asPatchCacheError(error);
  }
}

/** Whether `entry` holds a finished patch of this fingerprint with every weight file it names. */
export function isCompleteEntry(entry: string, fingerprint: string): boolean {
  return readPatchedModelEntry(entry, { patchVersion: PATCH_FORMAT_VERSION, fingerprint }) !== undefined;
}
