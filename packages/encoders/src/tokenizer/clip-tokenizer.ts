import * as path from 'node:path';
import { AddedTokenError, EncodersError } from '../errors.js';
import { addedTokenPattern, splitOnAddedTokens } from './added-tokens.js';
import { BpeMerges } from './bpe.js';
import { cleanUpTokenizationSpaces, tokensToText } from './decode.js';
import { END_OF_TEXT, splitClipWords, START_OF_TEXT, wordToInitialSymbols } from './pre-tokenize.js';
import { cleanClipText, type ClipTextCleanup } from './text-cleanup.js';
import { parseTokenizerFiles, readTokenizerFiles, type TokenizerDefinition, type TokenizerFileTexts } from './tokenizer-files.js';

/** A prompt as the text encoder takes it. */
export interface TokenizedPrompt {
  /** `maxLength` ids: start token, the prompt's tokens, end token, then padding. */
  readonly ids: Int32Array;
  /** Ids before the padding, start and end tokens included (at most `maxLength`). */
  readonly tokenCount: number;
  /** Whether prompt tokens were cut to fit `maxLength`. */
  readonly truncated: boolean;
  /** The text of the tokens that were cut (decoded as diffusers does for its warning). */
  readonly droppedText?: string;
}

/** Options of {@link ClipTokenizer}. */
export interface ClipTokenizerOptions {
  /** Text cleanup before splitting; see {@link ClipTextCleanup}. Default `'fast'`. */
  readonly cleanup?: ClipTextCleanup;
}

/** Most words a tokenizer remembers the BPE of (prompts repeat words; memory stays bounded). */
const WORD_CACHE_LIMIT = 20_000;

/**
 * CLIP's byte-level BPE tokenizer, read from a model folder's `tokenizer/` (vocab.json +
 * merges.txt, plus special tokens and the length from tokenizer_config.json /
 * special_tokens_map.json), with tokens added at run time for concepts.
 *
 * Steps: split the raw text at added tokens; clean each piece (NFC, whitespace, lower-case: see
 * {@link ClipTextCleanup}); split it into words with CLIP's pattern; spell each word's UTF-8 bytes in
 * the byte alphabet with `</w>` on its last symbol; merge by rank; look the symbols up.
 */
export class ClipTokenizer {
  /** Length of every encoded prompt (77 for CLIP). */
  readonly maxLength: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Id used for a symbol missing from the vocabulary (never happens with a complete byte alphabet). */
  readonly unkId: number;
  /** Size of vocab.json; added tokens get ids from here on. */
  readonly vocabSize: number;
  readonly cleanup: ClipTextCleanup;
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #tokens: Map<number, string>;
  readonly #merges: BpeMerges;
  readonly #added = new Map<string, number>();
  readonly #addedById = new Map<number, string>();
  #addedPattern: RegExp | undefined;
  readonly #wordCache = new Map<string, readonly number[]>();
  readonly #cleanUpSpaces: boolean;

  /** Builds a tokenizer from parsed files; most callers use {@link fromFolder} or {@link fromFiles}. */
  constructor(definition: TokenizerDefinition, options: ClipTokenizerOptions = {}) {
    this.#vocab = definition.vocab;
    this.#tokens = new Map([...definition.vocab].map(([token, id]) => [id, token]));
    this.#merges = new BpeMerges(definition.merges);
    this.maxLength = definition.maxLength;
    this.bosId = definition.vocab.get(definition.bosToken)!;
    this.eosId = definition.vocab.get(definition.eosToken)!;
    this.padId = definition.vocab.get(definition.padToken)!;
    this.unkId = definition.vocab.get(definition.unkToken)!;
    this.vocabSize = definition.vocab.size;
    this.cleanup = options.cleanup ?? 'fast';
    if (this.cleanup !== 'fast' && this.cleanup !== 'basic') {
      throw new EncodersError(`ClipTokenizer: cleanup must be 'fast' or 'basic', got '${String(this.cleanup)}'.`);
    }
    this.#cleanUpSpaces = definition.cleanUpTokenizationSpaces;
    for (const [token, id] of definition.addedTokens) this.#register(token, id);
  }

  /** Reads `tokenizerDir` (vocab.json, merges.txt and, when present, the config files). */
  static async fromFolder(tokenizerDir: string, options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
    const dir = path.resolve(tokenizerDir);
    return new ClipTokenizer(parseTokenizerFiles(await readTokenizerFiles(dir), dir), options);
  }

  /** A tokenizer from the files' texts; `where` names them in error messages. */
  static fromFiles(texts: TokenizerFileTexts, options: ClipTokenizerOptions & { where?: string } = {}): ClipTokenizer {
    return new ClipTokenizer(parseTokenizerFiles(texts, options.where ?? '(tokenizer files)'), options);
  }

  /** Added tokens and their ids, in the order they were added. */
  get addedTokens(): ReadonlyMap<string, number> {
    return this.#added;
  }

  /**
   * Adds `token` (e.g. `'<my-cat>'`) with the next free id (`vocabSize`, then `vocabSize + 1`, ...)
   * and returns the id. From now on it is matched whole in prompts, before any cleanup or BPE.
   * @throws AddedTokenError when the token is empty or already known.
   */
  addToken(token: string): number {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new AddedTokenError(`addToken: the token must be a non-empty string that is not only whitespace, got ${JSON.stringify(token)}.`);
    }
    if (this.#vocab.has(token)) {
      throw new AddedTokenError(`addToken: ${JSON.stringify(token)} is already in the vocabulary (id ${this.#vocab.get(token)}); choose a token that is not, such as '<${token.replace(/[<>]/g, '')}-concept>'.`);
    }
    if (this.#added.has(token)) {
      throw new AddedTokenError(`addToken: ${JSON.stringify(token)} was already added (id ${this.#added.get(token)}); use tokenToId() to look it up.`);
    }
    let id = this.vocabSize + this.#added.size;
    while (this.#tokens.has(id) || this.#addedById.has(id)) id++;
    this.#register(token, id);
    return id;
  }

  /** The id of a vocabulary or added token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.#added.get(token) ?? this.#vocab.get(token);
  }

  /** The token with id `id`, or undefined. */
  idToToken(id: number): string | undefined {
    return this.#addedById.get(id) ?? this.#tokens.get(id);
  }

  /** The prompt's token ids, without start, end or padding tokens and without truncation. */
  tokenIds(text: string): number[] {
    if (typeof text !== 'string') throw new EncodersError(`ClipTokenizer: the prompt must be a string, got ${typeof text}.`);
    const ids: number[] = [];
    for (const segment of splitOnAddedTokens(text, this.#addedPattern, this.#added)) {
      if ('id' in segment) {
        ids.push(segment.id);
        continue;
      }
      for (const word of splitClipWords(cleanClipText(segment.text, this.cleanup))) ids.push(...this.#wordIds(word));
    }
    return ids;
  }

  /**
   * The prompt as the text encoder takes it: start token, at most `maxLength - 2` prompt tokens,
   * end token, padding. Longer prompts are cut (as diffusers does) and the cut text is reported.
   */
  encode(text: string): TokenizedPrompt {
    const all = this.tokenIds(text);
    const room = this.maxLength - 2;
    const kept = all.slice(0, room);
    const ids = new Int32Array(this.maxLength).fill(this.padId);
    ids[0] = this.bosId;
    ids.set(kept, 1);
    ids[kept.length + 1] = this.eosId;
    const tokenCount = kept.length + 2;
    if (all.length <= room) return { ids, tokenCount, truncated: false };
    return { ids, tokenCount, truncated: true, droppedText: this.decode(all.slice(room)) };
  }

  /**
   * Text of token ids, as transformers' `decode` with its defaults: special tokens kept, added
   * tokens set apart by spaces, spaces before punctuation removed when the config asks for it.
   */
  decode(ids: Iterable<number>): string {
    const parts: string[] = [];
    let run: string[] = [];
    for (const id of ids) {
      const added = this.#addedById.get(id);
      if (added !== undefined) {
        if (run.length > 0) parts.push(tokensToText(run));
        run = [];
        parts.push(added);
        continue;
      }
      const token = this.#tokens.get(id);
      if (token === undefined) throw new EncodersError(`ClipTokenizer.decode: id ${id} is neither in the vocabulary (0..${this.vocabSize - 1}) nor an added token.`);
      run.push(token);
    }
    if (run.length > 0) parts.push(tokensToText(run));
    const text = parts.join(' ');
    return this.#cleanUpSpaces ? cleanUpTokenizationSpaces(text) : text;
  }

  #register(token: string, id: number): void {
    this.#added.set(token, id);
    this.#addedById.set(id, token);
    this.#addedPattern = addedTokenPattern(this.#added.keys());
  }

  #wordIds(word: string): readonly number[] {
    const cached = this.#wordCache.get(word);
    if (cached !== undefined) return cached;
    let ids: number[];
    // CLIP's pattern yields its two special tokens as words; like CLIP's BPE cache, they map to themselves.
    if ((word === START_OF_TEXT || word === END_OF_TEXT) && this.#vocab.has(word)) {
      ids = [this.#vocab.get(word)!];
    } else {
      ids = this.#merges.apply(wordToInitialSymbols(word)).map((symbol) => this.#vocab.get(symbol) ?? this.unkId);
    }
    if (this.#wordCache.size >= WORD_CACHE_LIMIT) this.#wordCache.clear();
    this.#wordCache.set(word, ids);
    return ids;
  }
}
