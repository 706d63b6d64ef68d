import * as path from 'node:path';
import { externalDataInfo, isExternalTensor, rawDataOffsetIn, readSourceModel, resolveLocation } from '@perfusion/onnx-graph';
import { ModelInterfaceError } from '../errors.js';
import { findTokenEmbedding } from './find-token-embedding.js';
import type { TokenEmbeddingTableLocation } from './token-embedding-table.js';

/**
 * Where the token embedding table of the (unextended) text encoder at `modelPath` is on disk: its
 * external-data file and offset, or, for a table stored inline as raw_data, the offset of those
 * bytes in model.onnx itself. Decodes the model once (the file is read, the table is not copied).
 * @throws TokenEmbeddingNotFoundError when there is no token embedding.
 * @throws ModelInterfaceError when its inline data are in typed fields (`float_data`) rather than
 *   raw_data (extend the model with `addedTokens` instead).
 */
export async function locateTokenEmbeddingTable(modelPath: string): Promise<TokenEmbeddingTableLocation> {
  const { path: file, bytes, model } = await readSourceModel(modelPath, 'a text encoder model.onnx');
  const site = findTokenEmbedding(model.graph!, file);
  const shape = { vocabSize: site.vocabSize, dim: site.dim, dtype: site.dtype };
  if (isExternalTensor(site.table)) {
    const info = externalDataInfo(site.table);
    return { file: resolveLocation(path.dirname(file), info.location, `tensor '${site.table.name}'`), offset: info.offset, ...shape };
  }
  const offset = rawDataOffsetIn(site.table, bytes);
  if (offset === undefined) {
    throw new ModelInterfaceError(
      `${file}: the token embedding table '${site.table.name}' keeps its values in typed fields rather than raw_data, so it cannot be read in place; ` +
        'load the text encoder with { addedTokens: true }, which stores the table beside the extended model.',
    );
  }
  return { file, offset, ...shape };
}
