import * as fs from 'node:fs';
import { float16ToFloat32 } from '@perfusion/tensor-core';
import { ExtraEmbeddingsError, TokenEmbeddingCacheError } from './errors.js';

/** Where a `[vocabSize, dim]` token embedding table's little-endian bytes are on disk. */
export interface TokenEmbeddingTableLocation {
  /** The file holding the table (an external-data file, or a model file whose raw_data it is). */
  readonly file: string;
  /** Byte offset of row 0 in `file`. */
  readonly offset: number;
  readonly vocabSize: number;
  readonly dim: number;
  readonly dtype: 'float32' | 'float16';
}

/**
 * A text encoder's token embedding table read in place: each call reads only the requested rows'
 * bytes from the file, so a 152 MB table is never loaded to get a word's embedding.
 */
export class TokenEmbeddingTable {
  constructor(readonly location: TokenEmbeddingTableLocation) {}

  get vocabSize(): number {
    return this.location.vocabSize;
  }

  /** Width of one row (d_emb). */
  get dim(): number {
    return this.location.dim;
  }

  /**
   * The rows of `ids`, one after another (`ids.length · dim` values), as float32 (fp16 tables
   * widened exactly).
   * @throws ExtraEmbeddingsError for an id outside `0 … vocabSize − 1` (added tokens have no row here).
   * @throws TokenEmbeddingCacheError when the file is missing or shorter than the table.
   */
  read(ids: ArrayLike<number>): Float32Array {
    const { file, offset, vocabSize, dim, dtype } = this.location;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new ExtraEmbeddingsError(
          `readTokenEmbedding: ids[${i}] is ${id}, but the token embedding table has rows 0..${vocabSize - 1}; ` +
            'added tokens have no row in it (their embeddings are the extra rows you pass to encode).',
          id,
        );
      }
    }
    const width = dtype === 'float32' ? 4 : 2;
    const rowBytes = dim * width;
    const out = new Float32Array(ids.length * dim);
    const row = new Uint8Array(rowBytes);
    const view = new DataView(row.buffer);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (cause) {
      throw new TokenEmbeddingCacheError(`Cannot open ${file} to read token embeddings (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`, { cause });
    }
    try {
      for (let i = 0; i < ids.length; i++) {
        const at = offset + ids[i]! * rowBytes;
        let done = 0;
        while (done < rowBytes) {
          const n = fs.readSync(fd, row, done, rowBytes - done, at + done);
          if (n === 0) {
            throw new TokenEmbeddingCacheError(
              `${file} ends at byte ${at + done}, inside row ${ids[i]} of the token embedding table (${vocabSize} × ${dim} ${dtype} from byte ${offset}); the file is truncated or was replaced.`,
            );
          }
          done += n;
        }
        for (let j = 0; j < dim; j++) {
          out[i * dim + j] = width === 4 ? view.getFloat32(j * 4, true) : float16ToFloat32(view.getUint16(j * 2, true));
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }
}
