import {
  cachePatchedModel,
  ExternalDataWriter,
  externalDataInfo,
  inlinePayload,
  isExternalTensor,
  readSourceModel,
  resolveLocation,
  sourceCacheDir,
  userCacheDir,
  type PatchManifest,
} from '@perfusion/onnx-graph';
import { asTokenEmbeddingCacheError } from './errors.js';
import { extendTokenEmbedding } from './extend-graph.js';
import { PERFUSION_TOKEN_EMBEDDINGS_INPUT, TOKEN_EMBEDDING_PATCH_VERSION } from './input-names.js';
import type { TokenEmbeddingTableLocation } from './token-embedding-table.js';

// The cache folders are onnx-graph's patched-model cache's (shared with the UNet surgery's).
export { PERFUSION_CACHE_DIR_ENV, SOURCE_CACHE_FOLDER } from '@perfusion/onnx-graph';
/** The record written beside each extended model (onnx-graph's patched-model cache's manifest). */
export { PATCH_MANIFEST as EXTENSION_MANIFEST } from '@perfusion/onnx-graph';
/** Sub-folder of the user cache that holds extended text encoders. */
const USER_CACHE_SUBDIR = 'text-encoder-patches';
/** The name under which the source model.onnx is linked into an entry when its weights are inline. */
const SOURCE_WEIGHTS_LINK = 'unextended-model.onnx';
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
  /** The cache key: 32 hex digits (onnx-graph's `patchedModelFingerprint`). */
  readonly fingerprint: string;
  /** Name of the token-embedding Gather in the source graph. */
  readonly gather: string;
  /** Where the (unchanged) token embedding table's bytes are, for reading rows in place. */
  readonly table: TokenEmbeddingTableLocation;
  /** Whether an existing cache entry was used (nothing written). */
  readonly reused: boolean;
}

/** What the extension adds to the manifest (paths relative to the entry). */
type ExtensionFields = {
  readonly input: string;
  readonly gather: string;
  readonly table: { readonly name: string; readonly location: string; readonly offset: number; readonly vocabSize: number; readonly dim: number; readonly dtype: 'float32' | 'float16' };
};

/**
 * Returns a copy of the text encoder at `modelPath` extended for added tokens (see
 * {@link extendTokenEmbedding}), writing it the first time and reusing it after.
 *
 * The cache is onnx-graph's `cachePatchedModel`, as for the UNet surgery: the extended graph goes
 * to `<cacheDir>/<fingerprint>/model.onnx`, keyed by the source's fingerprint (model.onnx bytes,
 * its weight files' sizes, mtimes and inodes, the patch version): a changed source gives a new
 * entry. Weights are never copied: external weight files are hard-linked into the entry under
 * their locations, and weights stored inline in model.onnx (optimum's text encoders keep theirs
 * inline) are referenced in place through a hard link of the source file. An entry is built in a
 * temporary sibling folder and renamed into place, so a crash never leaves a partial entry and
 * concurrent callers (processes too) are safe: the loser of the rename uses the winner's entry.
 *
 * @throws TokenEmbeddingNotFoundError, TokenEmbeddingAlreadyExtendedError (see `findTokenEmbedding`).
 * @throws TokenEmbeddingCacheError when the cache cannot be written or the weights cannot be linked.
 */
export async function extendTextEncoderModel(modelPath: string, options: ExtendTextEncoderOptions = {}): Promise<ExtendedTextEncoderModel> {
  const source = await readSourceModel(modelPath, 'a text encoder model.onnx');
  try {
    const cached = await cachePatchedModel(source, {
      label: 'extended text encoder',
      kind: MANIFEST_KIND,
      patchVersion: TOKEN_EMBEDDING_PATCH_VERSION,
      sourceLinkName: SOURCE_WEIGHTS_LINK,
      cacheSubdir: USER_CACHE_SUBDIR,
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      allowCopy: options.allowCopy === true,
      patch: (model, entry): ExtensionFields => {
        const { graph, site } = extendTokenEmbedding(model, source.path);
        model.graph = graph;
        // The table is read in place (TokenEmbeddingTable): reference it however small it is.
        entry.placeWeights({ reference: [site.table] });
        if (!isExternalTensor(site.table)) {
          // An inline table held in typed fields rather than raw_data: the one case written out (a copy).
          const writer = new ExternalDataWriter(entry.dir, TABLE_FILE);
          writer.append(site.table, inlinePayload(site.table).slice());
          writer.close();
          entry.addWeights({ location: TABLE_FILE, action: 'copied' });
        }
        const info = externalDataInfo(site.table);
        return {
          input: PERFUSION_TOKEN_EMBEDDINGS_INPUT,
          gather: site.gather.name,
          table: { name: site.table.name, location: info.location, offset: info.offset, vocabSize: site.vocabSize, dim: site.dim, dtype: site.dtype },
        };
      },
      accept: (manifest, entryDir) => tableFile(manifest, entryDir) !== undefined,
    });
    const fields = cached.manifest as PatchManifest & ExtensionFields;
    return {
      modelPath: cached.modelPath,
      sourcePath: cached.sourcePath,
      fingerprint: cached.fingerprint,
      gather: fields.gather,
      table: { file: tableFile(cached.manifest, cached.entryDir)!, offset: fields.table.offset, vocabSize: fields.table.vocabSize, dim: fields.table.dim, dtype: fields.table.dtype },
      reused: cached.reused,
    };
  } catch (error) {
    throw asTokenEmbeddingCacheError(error);
  }
}

/** The table's file in the entry when the manifest records a usable table and gather; else undefined (the entry is rebuilt). */
function tableFile(manifest: PatchManifest, entryDir: string): string | undefined {
  const { table, gather } = manifest as Partial<ExtensionFields>;
  if (table === undefined || typeof table.location !== 'string' || !Number.isSafeInteger(table.offset) || typeof gather !== 'string') return undefined;
  try {
    return resolveLocation(entryDir, table.location, `token embedding table of ${entryDir}/model.onnx`);
  } catch {
    return undefined;
  }
}

/** The default cache folder of a model: `<folder of model.onnx>/.perfusion-cache`. */
export function textEncoderCacheDir(modelPath: string): string {
  return sourceCacheDir(modelPath);
}

/** The fallback when the model's folder is not writable (see {@link ExtendTextEncoderOptions.cacheDir}). */
export function userTextEncoderCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return userCacheDir(USER_CACHE_SUBDIR, env);
}
