import * as path from 'node:path';
import { castFloatTensor, OnnxSession, type SessionInputInfo, type SessionOptions } from '@perfusion/onnx-graph';
import { Tensor, toFloat16Array } from '@perfusion/tensor-core';
import { EncoderInputError, ModelInterfaceError } from '../errors.js';
import { ExtraEmbeddingsError } from '../token-embeddings/errors.js';
import { extendTextEncoderModel, type ExtendedTextEncoderModel, type ExtendTextEncoderOptions } from '../token-embeddings/extended-model-cache.js';
import { PERFUSION_TOKEN_EMBEDDINGS_INPUT } from '../token-embeddings/input-names.js';
import { locateTokenEmbeddingTable } from '../token-embeddings/locate-table.js';
import { TokenEmbeddingTable } from '../token-embeddings/token-embedding-table.js';
import { positiveNumber, readComponentConfig } from './component-config.js';

const INPUT_IDS = 'input_ids';
const ATTENTION_MASK = 'attention_mask';
const LAST_HIDDEN_STATE = 'last_hidden_state';

/** Options of {@link TextEncoder.create}: onnxruntime's session options, plus added-token support. */
export interface TextEncoderOptions extends SessionOptions {
  /**
   * Load the model extended for added tokens (see `extendTokenEmbedding`): a copy of the graph,
   * cached beside the model, that takes the added tokens' embeddings as the input
   * `perfusion_token_embeddings`, so ids from `ClipTokenizer.addToken` can be encoded. `true` uses
   * the default cache; an object sets the cache folder or allows copying weights. Default false.
   */
  readonly addedTokens?: boolean | ExtendTextEncoderOptions;
}

/** Options of {@link TextEncoder.encode}. */
export interface TextEncodeOptions {
  /**
   * Embeddings of the added tokens, row after row: `N · tokenEmbeddingDim` values, row `k` for id
   * `vocabSize + k` (the order `ClipTokenizer.addToken` hands out ids). Shared by every prompt of
   * the batch. Only for encoders created with `addedTokens`; omitted means no rows (ids below
   * `vocabSize` only).
   */
  readonly extraEmbeddings?: Float32Array;
}

/**
 * A CLIP text encoder session (`text_encoder/model.onnx`): token ids in, `last_hidden_state` out.
 * The ids' dtype (int32 or int64) is the session's; fp16 models return float32 here.
 */
export class TextEncoder {
  /** Width of one token's encoding (768 for SD 1.x). */
  readonly hiddenSize: number;
  /** Ids per prompt the model takes, when it fixes or its config states it (77 for CLIP). */
  readonly maxLength: number | undefined;
  /**
   * Vocabulary size of the model's token embedding: the table's row count for encoders created
   * with `addedTokens`, else config.json's `vocab_size` when it states it.
   */
  readonly vocabSize: number | undefined;
  /** Width of one token embedding (d_emb: 768 for SD 1.x) for encoders created with `addedTokens`; else undefined. */
  readonly tokenEmbeddingDim: number | undefined;
  /** The model file given to `create` (absolute); `session.path` is the extended copy for `addedTokens` encoders. */
  readonly modelPath: string;
  /** The cached extended model, for encoders created with `addedTokens`. */
  readonly extension: ExtendedTextEncoderModel | undefined;
  readonly #idsInput: SessionInputInfo;
  readonly #maskInput: SessionInputInfo | undefined;
  readonly #extraInput: SessionInputInfo | undefined;
  #table: Promise<TokenEmbeddingTable> | undefined;

  private constructor(
    /** The underlying session (its `stats` give the time spent in onnxruntime). */
    readonly session: OnnxSession,
    modelPath: string,
    hiddenSize: number,
    maxLength: number | undefined,
    vocabSize: number | undefined,
    extension: ExtendedTextEncoderModel | undefined,
  ) {
    this.modelPath = modelPath;
    this.hiddenSize = hiddenSize;
    this.maxLength = maxLength;
    this.extension = extension;
    this.vocabSize = extension?.table.vocabSize ?? vocabSize;
    this.tokenEmbeddingDim = extension?.table.dim;
    this.#idsInput = session.input(INPUT_IDS);
    this.#maskInput = session.hasInput(ATTENTION_MASK) ? session.input(ATTENTION_MASK) : undefined;
    this.#extraInput = extension === undefined ? undefined : session.input(PERFUSION_TOKEN_EMBEDDINGS_INPUT);
    this.#table = extension === undefined ? undefined : Promise.resolve(new TokenEmbeddingTable(extension.table));
  }

  /** Whether this encoder takes added tokens' embeddings (created with `addedTokens`). */
  get addedTokens(): boolean {
    return this.extension !== undefined;
  }

  /**
   * Loads the text encoder at `modelPath` (its folder's config.json, when present, gives the
   * vocabulary size and length). With `addedTokens`, loads the extended copy of the model from the
   * cache, writing it the first time (see `extendTextEncoderModel`).
   * @throws ModelInterfaceError when the model lacks `input_ids` (int32/int64) or `last_hidden_state`.
   * @throws TokenEmbeddingNotFoundError (with `addedTokens`) when the graph has no token embedding Gather to extend.
   * @throws TokenEmbeddingCacheError (with `addedTokens`) when the extended model cannot be cached.
   */
  static async create(modelPath: string, options: TextEncoderOptions = {}): Promise<TextEncoder> {
    const { addedTokens, ...sessionOptions } = options;
    const file = path.resolve(modelPath);
    const dir = path.dirname(file);
    const extension =
      addedTokens === undefined || addedTokens === false ? undefined : await extendTextEncoderModel(file, addedTokens === true ? {} : addedTokens);
    return OnnxSession.createOwned(extension?.modelPath ?? file, sessionOptions, async (session) => {
      const config = await readComponentConfig(dir);
      const ids = session.inputs.find((i) => i.name === INPUT_IDS);
      if (ids === undefined || (ids.dtype !== 'int32' && ids.dtype !== 'int64')) {
        throw new ModelInterfaceError(`${file} is not a CLIP text encoder: expected an int32 or int64 input '${INPUT_IDS}', found ${describeInputs(session)}.`);
      }
      const mask = session.inputs.find((i) => i.name === ATTENTION_MASK);
      if (mask !== undefined && !['int64', 'int32', 'float32'].includes(mask.dtype)) {
        throw new ModelInterfaceError(`${file}: the text encoder's '${ATTENTION_MASK}' input is ${mask.dtype}; expected int64, int32 or float32.`);
      }
      const extra = session.inputs.find((i) => i.name === PERFUSION_TOKEN_EMBEDDINGS_INPUT);
      if (extra !== undefined && extension === undefined) {
        throw new ModelInterfaceError(
          `${file} was already extended for added tokens (it takes '${PERFUSION_TOKEN_EMBEDDINGS_INPUT}'); create the TextEncoder from the original model with { addedTokens: true }.`,
        );
      }
      if (extension !== undefined && extra?.dtype !== extension.table.dtype) {
        throw new ModelInterfaceError(`${session.path}: the extended text encoder's '${PERFUSION_TOKEN_EMBEDDINGS_INPUT}' is ${extra?.dtype ?? 'missing'}; expected ${extension.table.dtype}. Delete ${path.dirname(session.path)} and try again.`);
      }
      const others = session.inputs.filter((i) => i.name !== INPUT_IDS && i.name !== ATTENTION_MASK && i.name !== PERFUSION_TOKEN_EMBEDDINGS_INPUT);
      if (others.length > 0) {
        throw new ModelInterfaceError(`${file}: the text encoder has inputs this class does not feed: ${others.map((i) => `'${i.name}'`).join(', ')}.`);
      }
      if (!session.outputNames.includes(LAST_HIDDEN_STATE)) {
        throw new ModelInterfaceError(`${file} is not a CLIP text encoder: it has no output '${LAST_HIDDEN_STATE}' (outputs: ${session.outputNames.join(', ')}).`);
      }
      const out = session.outputs.find((o) => o.name === LAST_HIDDEN_STATE);
      const declared = out?.shape[out.shape.length - 1];
      const hiddenSize = typeof declared === 'number' ? declared : positiveNumber(config, 'hidden_size', dir, true);
      if (hiddenSize === undefined) {
        throw new ModelInterfaceError(`${file}: the width of '${LAST_HIDDEN_STATE}' is not fixed by the model and ${path.join(dir, 'config.json')} gives no hidden_size.`);
      }
      const fixedLength = ids.rankKnown ? ids.shape[1] : undefined;
      const maxLength = typeof fixedLength === 'number' ? fixedLength : positiveNumber(config, 'max_position_embeddings', dir, true);
      return new TextEncoder(session, file, hiddenSize, maxLength, positiveNumber(config, 'vocab_size', dir, true), extension);
    });
  }

  /** dtype of the ids the model takes. */
  get idsDType(): 'int32' | 'int64' {
    return this.#idsInput.dtype as 'int32' | 'int64';
  }

  /**
   * Encodes a batch of tokenised prompts (each `maxLength` ids, e.g. `ClipTokenizer.encode(p).ids`)
   * into `[B, length, hiddenSize]` float32. Encoders created with `addedTokens` also take ids
   * from `vocabSize` on, given `options.extraEmbeddings` with a row for each.
   * @throws EncoderInputError for an empty batch, rows of different lengths, or ids the model has no embedding for.
   * @throws ExtraEmbeddingsError for an added token's id without its row in `extraEmbeddings`
   *   (naming the id and the number of rows), a length that is not whole rows, or extra
   *   embeddings given to an encoder created without `addedTokens`.
   */
  async encode(ids: readonly Int32Array[], options: TextEncodeOptions = {}): Promise<Tensor<'float32'>> {
    const feeds = this.feeds(ids, options);
    const out = (await this.session.run(feeds, [LAST_HIDDEN_STATE]))[LAST_HIDDEN_STATE]!;
    return castFloatTensor(out, 'float32');
  }

  /**
   * The session feeds {@link encode} runs with (ids in the model's dtype, the all-ones mask when the
   * model takes one, the extra embedding rows), checked the same way. Graphs derived from this
   * encoder's model — e.g. its gradient graph for training a token embedding — take the same feeds.
   * @throws EncoderInputError, ExtraEmbeddingsError as {@link encode}.
   */
  feeds(ids: readonly Int32Array[], options: TextEncodeOptions = {}): Record<string, Tensor> {
    const rows = this.#extraRows(options.extraEmbeddings);
    if (ids.length === 0) throw new EncoderInputError('TextEncoder.encode: give at least one row of token ids.');
    const length = ids[0]!.length;
    ids.forEach((row, i) => {
      if (!(row instanceof Int32Array)) throw new EncoderInputError(`TextEncoder.encode: ids[${i}] must be an Int32Array (ClipTokenizer.encode(prompt).ids).`);
      if (row.length !== length) throw new EncoderInputError(`TextEncoder.encode: ids[${i}] has ${row.length} ids but ids[0] has ${length}; pad every prompt to the same length.`);
    });
    if (length === 0 || (this.maxLength !== undefined && length > this.maxLength)) {
      throw new EncoderInputError(`TextEncoder.encode: rows have ${length} ids; the model takes 1..${this.maxLength ?? '∞'}.`);
    }
    const flat = new Int32Array(ids.length * length);
    ids.forEach((row, i) => flat.set(row, i * length));
    for (let i = 0; i < flat.length; i++) {
      const id = flat[i]!;
      const row = Math.floor(i / length);
      if (this.extension !== undefined && this.vocabSize !== undefined && id >= this.vocabSize) {
        if (id < this.vocabSize + rows) continue;
        const dim = this.extension.table.dim;
        throw new ExtraEmbeddingsError(
          `TextEncoder.encode: ids[${row}][${i % length}] is ${id}, an added token's id (row ${id - this.vocabSize} of the extra embeddings), ` +
            `but ${rows === 0 ? 'no extra embedding rows were given' : `only ${rows} extra embedding row${rows === 1 ? ' was' : 's were'} given (ids ${this.vocabSize}..${this.vocabSize + rows - 1})`}; ` +
            `pass options.extraEmbeddings with at least ${id - this.vocabSize + 1} rows of ${dim} values (row k is the embedding of id ${this.vocabSize} + k).`,
          id,
          rows,
        );
      }
      if (id < 0 || (this.vocabSize !== undefined && id >= this.vocabSize)) {
        throw new EncoderInputError(
          `TextEncoder.encode: ids[${row}][${i % length}] is ${id}, but the model's vocabulary has ids 0..${(this.vocabSize ?? 1) - 1}. ` +
            "Ids from ClipTokenizer.addToken need a text encoder created with { addedTokens: true } and their rows in encode's extraEmbeddings.",
        );
      }
    }
    const shape = [ids.length, length];
    const feeds: Record<string, Tensor> = { [INPUT_IDS]: this.#idsTensor(flat, shape) };
    if (this.#maskInput !== undefined) {
      // diffusers does not pass a mask to SD's CLIP; all ones is the same as none.
      feeds[ATTENTION_MASK] = ones(this.#maskInput.dtype, shape);
    }
    if (this.#extraInput !== undefined) feeds[PERFUSION_TOKEN_EMBEDDINGS_INPUT] = this.#extraTensor(options.extraEmbeddings, rows);
    return feeds;
  }

  /**
   * The input word embeddings (rows of the token embedding table) of `ids`, one row after another
   * (`ids.length · d_emb` float32 values; fp16 tables widened exactly). Only those rows are read,
   * from the model's weight file or, for inline weights, from model.onnx, in place. Use it to
   * initialise an added token's embedding from a word (Perfusion starts the concept token at its
   * supercategory's embedding). For encoders created without `addedTokens`, the first call
   * decodes model.onnx once to find the table.
   * @throws ExtraEmbeddingsError for an id outside `0 … vocabSize − 1`.
   * @throws TokenEmbeddingNotFoundError when the model has no token embedding Gather.
   */
  async readTokenEmbedding(ids: number | ArrayLike<number>): Promise<Float32Array> {
    this.#table ??= locateTokenEmbeddingTable(this.modelPath).then((location) => new TokenEmbeddingTable(location));
    const table = await this.#table.catch((error: unknown) => {
      this.#table = undefined;
      throw error;
    });
    return table.read(typeof ids === 'number' ? [ids] : ids);
  }

  /** Gives the session back. */
  release(): Promise<void> {
    return this.session.release();
  }

  /** Checks `extra` against this encoder; returns its number of rows. */
  #extraRows(extra: Float32Array | undefined): number {
    if (extra === undefined) return 0;
    if (this.extension === undefined) {
      throw new ExtraEmbeddingsError(
        `TextEncoder.encode: extraEmbeddings were given, but ${this.modelPath} was loaded without added-token support; create it with TextEncoder.create(path, { addedTokens: true }).`,
      );
    }
    const dim = this.extension.table.dim;
    if (!(extra instanceof Float32Array) || extra.length % dim !== 0) {
      const what = extra instanceof Float32Array ? `${extra.length} values` : `a ${(extra as object)?.constructor?.name ?? typeof extra}`;
      throw new ExtraEmbeddingsError(`TextEncoder.encode: extraEmbeddings must be a Float32Array of whole rows of ${dim} values (tokenEmbeddingDim); got ${what}.`);
    }
    return extra.length / dim;
  }

  #extraTensor(extra: Float32Array | undefined, rows: number): Tensor {
    const shape = [rows, this.extension!.table.dim];
    const values = extra ?? new Float32Array(0);
    return this.#extraInput!.dtype === 'float16' ? new Tensor('float16', toFloat16Array(values), shape) : new Tensor('float32', values, shape);
  }

  #idsTensor(flat: Int32Array, shape: number[]): Tensor {
    if (this.#idsInput.dtype === 'int32') return new Tensor('int32', flat, shape);
    return new Tensor('int64', BigInt64Array.from(flat, (v) => BigInt(v)), shape);
  }
}

function ones(dtype: string, shape: number[]): Tensor {
  const n = shape[0]! * shape[1]!;
  switch (dtype) {
    case 'int64':
      return new Tensor('int64', new BigInt64Array(n).fill(1n), shape);
    case 'int32':
      return new Tensor('int32', new Int32Array(n).fill(1), shape);
    default:
      return new Tensor('float32', new Float32Array(n).fill(1), shape);
  }
}

function describeInputs(session: OnnxSession): string {
  return session.inputs.map((i) => `'${i.name}' (${i.dtype})`).join(', ') || 'no inputs';
}
