import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  decodeModel,
  ExternalDataError,
  ModelDecodeError,
  relocateExternalData,
  writeModelSync,
  valueDType,
  type ModelProto,
} from '@perfusion/onnx-graph';
import { HIDDEN_STATES_INPUT, type FloatDType } from '../model-io.js';
import { sourceCacheDir, userPatchCacheDir } from './cache-dir.js';
import { PatchCacheError } from './errors.js';
import { findCrossAttentionLayers } from './find-cross-attention.js';
import { referenceInlineWeights } from './inline-weights.js';
import { perfusionInputNames, type PerfusionInputNames } from './input-names.js';
import type { CrossAttentionLayer } from './layers.js';
import { linkFile } from './link-file.js';
import { patchCrossAttention } from './patch-graph.js';
import { externalFileStats, PATCH_FORMAT_VERSION, sourceFingerprint } from './source-fingerprint.js';

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

/** The record written beside each patched model. */
export const PATCH_MANIFEST = 'perfusion-patch.json';
/** The name under which the source model.onnx is linked when its weights are inline. */
export const SOURCE_WEIGHTS_LINK = 'unpatched-model.onnx';
const CONFIG_FILE = 'config.json';

/** Patches in flight in this process, so concurrent callers share one. */
const pending = new Map<string, Promise<PatchedUnet>>();

/**
 * Returns a copy of the UNet at `modelPath` whose cross-attention K and V projections take
 * Perfusion's inputs (see `patchCrossAttention`), writing it the first time and reusing it after.
 *
 * The patched graph goes to `<cacheDir>/<fingerprint>/model.onnx`, keyed by the source's
 * fingerprint (model.onnx bytes, its weight files' sizes, mtimes and inodes, config.json, the
 * options, the patch format version): a changed source gives a new entry. Weights are never
 * copied: external weight files (one for all tensors, or one per tensor) are hard-linked into
 * the entry under their locations; weights stored inline in model.onnx are referenced in place
 * through a hard link of the source file (`unpatched-model.onnx`). `config.json` is copied. An
 * entry is built in a temporary sibling folder and renamed into place, so a crash never leaves a
 * partial entry and concurrent callers (processes too) are safe: the loser of the rename uses
 * the winner's entry.
 *
 * @throws NoCrossAttentionError when the graph has no cross-attention (names the file).
 * @throws CrossAttentionStructureError, AlreadyPatchedError — see `findCrossAttentionLayers`, `patchCrossAttention`.
 * @throws PatchCacheError when the cache cannot be written, or the weights cannot be linked (another file system).
 */
export async function patchUnetForPerfusion(modelPath: string, options: PatchUnetOptions = {}): Promise<PatchedUnet> {
  const sourcePath = path.resolve(modelPath);
  const separateKeyStates = options.separateKeyStates === true;
  const bytes = await readSource(sourcePath);
  const model = decodeModel(bytes, sourcePath);
  const layers = findCrossAttentionLayers(model.graph!, sourcePath);
  const modelDir = path.dirname(sourcePath);
  const configPath = path.join(modelDir, CONFIG_FILE);
  const configBytes = fs.existsSync(configPath) ? fs.readFileSync(configPath) : undefined;
  const fingerprint = sourceFingerprint({
    modelBytes: bytes,
    externalFiles: externalFileStats(model, modelDir, sourcePath),
    ...(configBytes !== undefined ? { configBytes } : {}),
    options: { separateKeyStates },
  });
  const base: Omit<PatchedUnet, 'modelPath' | 'reused'> = {
    sourcePath,
    layers,
    fingerprint,
    dtype: layers[0]!.k.dtype,
    hiddenStatesDType: valueDType(model.graph!.input.find((i) => i.name === HIDDEN_STATES_INPUT)!) as FloatDType,
    separateKeyStates,
    inputs: perfusionInputNames(layers, separateKeyStates),
  };

  const candidates = options.cacheDir !== undefined ? [path.resolve(options.cacheDir)] : [sourceCacheDir(sourcePath), userPatchCacheDir()];
  for (const dir of candidates) {
    const entry = path.join(dir, fingerprint);
    if (isCompleteEntry(entry, fingerprint)) return { ...base, modelPath: path.join(entry, 'model.onnx'), reused: true };
  }
  const cacheDir = options.cacheDir !== undefined ? prepareCacheDir(candidates[0]!, true)! : (prepareCacheDir(candidates[0]!, false) ?? prepareCacheDir(candidates[1]!, true)!);
  const entry = path.join(cacheDir, fingerprint);
  let job = pending.get(entry);
  if (job === undefined) {
    job = Promise.resolve()
      .then(() => writePatchEntry({ model, bytes, base, modelDir, configBytes, entry, allowCopy: options.allowCopy === true }))
      .finally(() => pending.delete(entry));
    pending.set(entry, job);
  }
  return job;
}

interface EntryJob {
  /** The source model decoded from `bytes`; edited in place. */
  readonly model: ModelProto;
  readonly bytes: Uint8Array;
  readonly base: Omit<PatchedUnet, 'modelPath' | 'reused'>;
  readonly modelDir: string;
  readonly configBytes: Uint8Array | undefined;
  readonly entry: string;
  readonly allowCopy: boolean;
}

/**
 * Builds the cache entry `job.entry` in a temporary sibling folder and renames it into place.
 * When another writer got there first, its entry is used and this one is discarded. Exported for tests.
 */
export function writePatchEntry(job: EntryJob): PatchedUnet {
  const { model, bytes, base, entry } = job;
  const temp = path.join(path.dirname(entry), `.${path.basename(entry)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(temp);
  const modelPath = path.join(entry, 'model.onnx');
  try {
    // The model is this job's own decoded copy: edit it in place (its tensors become references).
    model.graph = patchCrossAttention(model.graph!, base.layers, { separateKeyStates: base.separateKeyStates, modelPath: base.sourcePath });
    const weights = placeWeights(model, bytes, job.modelDir, temp, base.sourcePath, job.allowCopy);
    writeModelSync(model, path.join(temp, 'model.onnx'));
    if (job.configBytes !== undefined) fs.writeFileSync(path.join(temp, CONFIG_FILE), job.configBytes);
    fs.writeFileSync(path.join(temp, PATCH_MANIFEST), `${JSON.stringify(manifest(base, weights), null, 2)}\n`);
    commit(temp, entry, base.fingerprint);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (error instanceof ExternalDataError) throw new PatchCacheError(`${base.sourcePath}: cannot place its weights beside the patched model in ${entry}: ${error.message}`, { cause: error });
    throw error;
  }
  return { ...base, modelPath, reused: false };
}

/** Links the source's weight files into `dir`; returns each location and how it got there. */
function placeWeights(model: ModelProto, bytes: Uint8Array, modelDir: string, dir: string, sourcePath: string, allowCopy: boolean): { location: string; action: string }[] {
  const placed = relocateExternalData(model, modelDir, dir, { allowCopy }).map((f) => ({ location: f.location, action: f.action }));
  const taken = new Set(placed.map((f) => f.location));
  let link = SOURCE_WEIGHTS_LINK;
  for (let i = 1; taken.has(link); i++) link = `unpatched-model-${i}.onnx`;
  if (referenceInlineWeights(model, bytes, link) > 0) placed.push({ location: link, action: linkFile(sourcePath, path.join(dir, link), allowCopy) });
  return placed;
}

function manifest(base: Omit<PatchedUnet, 'modelPath' | 'reused'>, weights: { location: string; action: string }[]): Record<string, unknown> {
  return {
    format: PATCH_FORMAT_VERSION,
    fingerprint: base.fingerprint,
    source: base.sourcePath,
    options: { separateKeyStates: base.separateKeyStates },
    dtype: base.dtype,
    weights,
    layers: base.layers.map((l) => ({ key: l.key, width: l.width, dim: l.dim, k: l.k.name, v: l.v.name, inputs: base.inputs.rows.get(l.key) })),
  };
}

/** Renames `temp` to `entry`; when a complete entry is already there, keeps it; a broken one is replaced. */
function commit(temp: string, entry: string, fingerprint: string): void {
  try {
    fs.renameSync(temp, entry);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
  }
  if (isCompleteEntry(entry, fingerprint)) {
    fs.rmSync(temp, { recursive: true, force: true });
    return;
  }
  const stale = `${temp}.stale`;
  fs.renameSync(entry, stale);
  fs.renameSync(temp, entry);
  fs.rmSync(stale, { recursive: true, force: true });
}

/** Whether `entry` holds a finished patch of this fingerprint with every weight file it names. */
export function isCompleteEntry(entry: string, fingerprint: string): boolean {
  let record: { format?: unknown; fingerprint?: unknown; weights?: { location: string }[] };
  try {
    record = JSON.parse(fs.readFileSync(path.join(entry, PATCH_MANIFEST), 'utf8')) as typeof record;
  } catch {
    return false;
  }
  if (record.format !== PATCH_FORMAT_VERSION || record.fingerprint !== fingerprint) return false;
  if (!fs.existsSync(path.join(entry, 'model.onnx'))) return false;
  return (record.weights ?? []).every((w) => fs.existsSync(path.join(entry, ...w.location.split('/'))));
}

/** Creates `dir` and checks it is writable; returns it, or undefined (or throws, when `required`). */
function prepareCacheDir(dir: string, required: boolean): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch (cause) {
    if (!required) return undefined;
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new PatchCacheError(`cannot use ${dir} as the patched-UNet cache (${code}); pass a writable cacheDir on the model's file system.`, { cause });
  }
}

async function readSource(file: string): Promise<Uint8Array> {
  try {
    const buffer = await fs.promises.readFile(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`;
    throw new ModelDecodeError(file, 'unreadable', `${why}; expected a UNet model.onnx`, { cause });
  }
}
