import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeModel,
  ExternalDataError,
  ExternalDataWriter,
  externalDataInfo,
  inlinePayload,
  isExternalTensor,
  ModelDecodeError,
  resolveLocation,
  writeModelSync,
  type ModelProto,
} from '@perfusion/onnx-graph';
import { TokenEmbeddingCacheError } from './errors.js';
import { extendTokenEmbedding } from './extend-graph.js';
import { PERFUSION_TOKEN_EMBEDDINGS_INPUT, TOKEN_EMBEDDING_PATCH_VERSION } from './input-names.js';
import { placeWeights, type PlacedWeights } from './place-weights.js';
import { externalFileStats, textEncoderFingerprint } from './source-fingerprint.js';
import type { TokenEmbeddingTableLocation } from './token-embedding-table.js';

/** Name of the cache folder created next to a text encoder model by default (shared with the UNet surgery's). */
export const SOURCE_CACHE_FOLDER = '.perfusion-cache';
/** Environment variable that moves every Perfusion cache (extended text encoders go to `$PERFUSION_CACHE_DIR/text-encoder-patches`). */
export const PERFUSION_CACHE_DIR_ENV = 'PERFUSION_CACHE_DIR';
/** The record written beside each extended model. */
export const EXTENSION_MANIFEST = 'perfusion-patch.json';
/** File an inline table stored in typed fields (not raw_data) is written to, the one case where bytes are copied. */
const TABLE_FILE = 'token-embedding.onnx_data';
const MANIFEST_KIND = 'text-encoder-added-tokens';

/** Options of {@link extendTextEncoderModel}. */
export interface ExtendTextEncoderOptions {
  /**
   * Folder that holds extended models, one sub-folder per fingerprint. Default: `.perfusion-cache`
   * beside the model; when that cannot be created or written, the user cache
   * (`$PERFUSION_CACHE_DIR/text-encoder-patches`, else `$XDG_CACHE_HOME/perfusion/text-encoder-patches`,
   * else `~/.cache/perfusion/text-encoder-patches`). Must be on the model's file system (weights are hard-linked).
   */
  readonly cacheDir?: string;
  /** Copy weight files that can be neither hard-linked nor cloned (cache on another file system). Default false. */
  readonly allowCopy?: boolean;
}

/** An extended text encoder in the cache. */
export interface ExtendedTextEncoderModel {
  /** The extended `model.onnx` (input `perfusion_token_embeddings` added). */
  readonly modelPath: string;
  /** The original model, absolute. */
  readonly sourcePath: string;
  /** The cache key: 32 hex digits (see {@link textEncoderFingerprint}). */
  readonly fingerprint: string;
  /** Name of the token-embedding Gather in the source graph. */
  readonly gather: string;
  /** Where the (unchanged) token embedding table's bytes are, for reading rows in place. */
  readonly table: TokenEmbeddingTableLocation;
  /** Whether an existing cache entry was used (nothing written). */
  readonly reused: boolean;
}

/** What the manifest records (paths relative to the entry). */
interface Manifest {
  readonly kind: typeof MANIFEST_KIND;
  readonly format: number;
  readonly fingerprint: string;
  readonly source: string;
  readonly input: string;
  readonly gather: string;
  readonly table: { readonly name: string; readonly location: string; readonly offset: number; readonly vocabSize: number; readonly dim: number; readonly dtype: 'float32' | 'float16' };
  readonly weights: readonly PlacedWeights[];
}

/** Extensions in flight in this process, so concurrent callers share one. */
const pending = new Map<string, Promise<ExtendedTextEncoderModel>>();

/**
 * Returns a copy of the text encoder at `modelPath` extended for added tokens (see
 * {@link extendTokenEmbedding}), writing it the first time and reusing it after.
 *
 * The extended graph goes to `<cacheDir>/<fingerprint>/model.onnx`, keyed by the source's
 * fingerprint (model.onnx bytes, its weight files' sizes, mtimes and inodes, the patch version):
 * a changed source gives a new entry. Weights are never copied: external weight files are
 * hard-linked into the entry under their locations, and weights stored inline in model.onnx
 * (optimum's text encoders keep theirs inline) are referenced in place through a hard link of the
 * source file. An entry is built in a temporary sibling folder and renamed into place, so a crash
 * never leaves a partial entry and concurrent callers (processes too) are safe: the loser of the
 * rename uses the winner's entry. This is the layout of the UNet surgery's cache.
 *
 * @throws TokenEmbeddingNotFoundError, TokenEmbeddingAlreadyExtendedError (see `findTokenEmbedding`).
 * @throws TokenEmbeddingCacheError when the cache cannot be written or the weights cannot be linked.
 */
export async function extendTextEncoderModel(modelPath: string, options: ExtendTextEncoderOptions = {}): Promise<ExtendedTextEncoderModel> {
  const sourcePath = path.resolve(modelPath);
  const bytes = await readSource(sourcePath);
  const model = decodeModel(bytes, sourcePath);
  const fingerprint = textEncoderFingerprint(bytes, externalFileStats(model, path.dirname(sourcePath), sourcePath));

  const candidates = options.cacheDir !== undefined ? [path.resolve(options.cacheDir)] : [textEncoderCacheDir(sourcePath), userTextEncoderCacheDir()];
  for (const dir of candidates) {
    const found = readEntry(path.join(dir, fingerprint), fingerprint, sourcePath);
    if (found !== undefined) return found;
  }
  const cacheDir = options.cacheDir !== undefined ? prepareCacheDir(candidates[0]!, true)! : (prepareCacheDir(candidates[0]!, false) ?? prepareCacheDir(candidates[1]!, true)!);
  const entry = path.join(cacheDir, fingerprint);
  let job = pending.get(entry);
  if (job === undefined) {
    job = Promise.resolve()
      .then(() => writeEntry(model, bytes, sourcePath, entry, fingerprint, options.allowCopy === true))
      .finally(() => pending.delete(entry));
    pending.set(entry, job);
  }
  return job;
}

/** The default cache folder of a model: `<folder of model.onnx>/.perfusion-cache`. */
export function textEncoderCacheDir(modelPath: string): string {
  return path.join(path.dirname(path.resolve(modelPath)), SOURCE_CACHE_FOLDER);
}

/** The fallback when the model's folder is not writable (see {@link ExtendTextEncoderOptions.cacheDir}). */
export function userTextEncoderCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[PERFUSION_CACHE_DIR_ENV];
  if (override !== undefined && override !== '') return path.resolve(override, 'text-encoder-patches');
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' ? path.resolve(xdg) : path.join(os.homedir(), '.cache');
  return path.join(base, 'perfusion', 'text-encoder-patches');
}

/** Builds the entry in a temporary sibling folder and renames it into place (or uses a winner's). */
function writeEntry(model: ModelProto, bytes: Uint8Array, sourcePath: string, entry: string, fingerprint: string, allowCopy: boolean): ExtendedTextEncoderModel {
  const { graph, site } = extendTokenEmbedding(model, sourcePath);
  model.graph = graph;
  const temp = path.join(path.dirname(entry), `.${path.basename(entry)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(temp);
  try {
    const weights = placeWeights(model, bytes, sourcePath, temp, allowCopy, site.table);
    if (!isExternalTensor(site.table)) {
      // An inline table held in typed fields rather than raw_data: the one case written out (a copy).
      const writer = new ExternalDataWriter(temp, TABLE_FILE);
      writer.append(site.table, inlinePayload(site.table).slice());
      writer.close();
      weights.push({ location: TABLE_FILE, action: 'copied' });
    }
    const info = externalDataInfo(site.table);
    writeModelSync(model, path.join(temp, 'model.onnx'));
    const manifest: Manifest = {
      kind: MANIFEST_KIND,
      format: TOKEN_EMBEDDING_PATCH_VERSION,
      fingerprint,
      source: sourcePath,
      input: PERFUSION_TOKEN_EMBEDDINGS_INPUT,
      gather: site.gather.name,
      table: { name: site.table.name, location: info.location, offset: info.offset, vocabSize: site.vocabSize, dim: site.dim, dtype: site.dtype },
      weights,
    };
    fs.writeFileSync(path.join(temp, EXTENSION_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    commit(temp, entry, fingerprint, sourcePath);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (error instanceof ExternalDataError) {
      throw new TokenEmbeddingCacheError(`${sourcePath}: cannot place its weights beside the extended model in ${entry}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const found = readEntry(entry, fingerprint, sourcePath);
  if (found === undefined) throw new TokenEmbeddingCacheError(`${entry}: the extended text encoder just written is incomplete; delete the folder and try again.`);
  return { ...found, reused: false };
}

/** Renames `temp` to `entry`; when a complete entry is already there, keeps it; a broken one is replaced. */
function commit(temp: string, entry: string, fingerprint: string, sourcePath: string): void {
  try {
    fs.renameSync(temp, entry);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
  }
  if (readEntry(entry, fingerprint, sourcePath) !== undefined) {
    fs.rmSync(temp, { recursive: true, force: true });
    return;
  }
  const stale = `${temp}.stale`;
  fs.renameSync(entry, stale);
  fs.renameSync(temp, entry);
  fs.rmSync(stale, { recursive: true, force: true });
}

/** The entry at `entry` when it is a finished extension with this fingerprint and every file it names. */
function readEntry(entry: string, fingerprint: string, sourcePath: string): ExtendedTextEncoderModel | undefined {
  let record: Partial<Manifest>;
  try {
    record = JSON.parse(fs.readFileSync(path.join(entry, EXTENSION_MANIFEST), 'utf8')) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  if (record.kind !== MANIFEST_KIND || record.format !== TOKEN_EMBEDDING_PATCH_VERSION || record.fingerprint !== fingerprint) return undefined;
  const table = record.table;
  if (table === undefined || typeof table.location !== 'string' || !Number.isSafeInteger(table.offset) || typeof record.gather !== 'string') return undefined;
  const modelPath = path.join(entry, 'model.onnx');
  if (!fs.existsSync(modelPath)) return undefined;
  if (!(record.weights ?? []).every((w) => fs.existsSync(path.join(entry, ...w.location.split('/'))))) return undefined;
  let file: string;
  try {
    file = resolveLocation(entry, table.location, `token embedding table of ${modelPath}`);
  } catch {
    return undefined;
  }
  return {
    modelPath,
    sourcePath,
    fingerprint,
    gather: record.gather,
    table: { file, offset: table.offset, vocabSize: table.vocabSize, dim: table.dim, dtype: table.dtype },
    reused: true,
  };
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
    throw new TokenEmbeddingCacheError(`cannot use ${dir} as the extended-text-encoder cache (${code}); pass a writable cacheDir on the model's file system.`, { cause });
  }
}

async function readSource(file: string): Promise<Uint8Array> {
  try {
    const buffer = await fs.promises.readFile(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`;
    throw new ModelDecodeError(file, 'unreadable', `${why}; expected a text encoder model.onnx`, { cause });
  }
}
