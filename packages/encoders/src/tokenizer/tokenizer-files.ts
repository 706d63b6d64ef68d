import * as fs from 'node:fs';
import * as path from 'node:path';
import { TokenizerFileError } from '../errors.js';
import type { BpeMerge } from './bpe.js';
import { END_OF_TEXT, START_OF_TEXT } from './pre-tokenize.js';

/** The text of a tokenizer folder's files (only vocab.json and merges.txt are required). */
export interface TokenizerFileTexts {
  readonly vocabJson: string;
  readonly mergesTxt: string;
  readonly tokenizerConfigJson?: string;
  readonly specialTokensMapJson?: string;
  /** transformers' older `added_tokens.json` (`{ "<cat-toy>": 49408 }`), written with added tokens. */
  readonly addedTokensJson?: string;
}

/** What a CLIP tokenizer is built from, parsed and checked. */
export interface TokenizerDefinition {
  /** Token → id, from vocab.json. */
  readonly vocab: ReadonlyMap<string, number>;
  readonly merges: readonly BpeMerge[];
  readonly bosToken: string;
  readonly eosToken: string;
  readonly padToken: string;
  readonly unkToken: string;
  readonly maxLength: number;
  /** Whether decoding tidies spaces before punctuation (transformers' `clean_up_tokenization_spaces`). */
  readonly cleanUpTokenizationSpaces: boolean;
  /** Tokens from added_tokens.json, by id. */
  readonly addedTokens: readonly (readonly [token: string, id: number])[];
}

/** CLIP's context length, used when the config gives none. */
export const CLIP_MAX_LENGTH = 77;

/**
 * transformers reads at most this many merges (`merges[1 : 49152 - 256 - 2 + 1]`): CLIP's vocab of
 * 49,408 = 256 bytes + 256 bytes with `</w>` + 48,894 merges + 2 special tokens.
 */
export const CLIP_MAX_MERGES = 49152 - 256 - 2;

/** File names inside a tokenizer folder. */
export const TOKENIZER_FILES = {
  vocab: 'vocab.json',
  merges: 'merges.txt',
  config: 'tokenizer_config.json',
  specialTokens: 'special_tokens_map.json',
  addedTokens: 'added_tokens.json',
} as const;

/** Reads the tokenizer files of `dir` (a model folder's `tokenizer/`). */
export async function readTokenizerFiles(dir: string): Promise<TokenizerFileTexts> {
  const read = async (name: string, required: boolean): Promise<string | undefined> => {
    const file = path.join(dir, name);
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (!required && code === 'ENOENT') return undefined;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`;
      throw new TokenizerFileError(file, `${why}; a CLIP tokenizer folder needs vocab.json and merges.txt (as in a diffusers/optimum model folder's tokenizer/).`, { cause });
    }
  };
  const [vocabJson, mergesTxt, tokenizerConfigJson, specialTokensMapJson, addedTokensJson] = await Promise.all([
    read(TOKENIZER_FILES.vocab, true),
    read(TOKENIZER_FILES.merges, true),
    read(TOKENIZER_FILES.config, false),
    read(TOKENIZER_FILES.specialTokens, false),
    read(TOKENIZER_FILES.addedTokens, false),
  ]);
  return { vocabJson: vocabJson!, mergesTxt: mergesTxt!, tokenizerConfigJson, specialTokensMapJson, addedTokensJson };
}

/**
 * Parses and checks tokenizer file texts. `where` names the folder in error messages.
 * Special tokens come from special_tokens_map.json, else tokenizer_config.json, else CLIP's
 * defaults (`<|startoftext|>`, and `<|endoftext|>` for end, padding and unknown), as transformers
 * resolves them.
 */
export function parseTokenizerFiles(texts: TokenizerFileTexts, where: string): TokenizerDefinition {
  const vocab = parseVocab(texts.vocabJson, path.join(where, TOKENIZER_FILES.vocab));
  const merges = parseMerges(texts.mergesTxt, path.join(where, TOKENIZER_FILES.merges));
  const configFile = path.join(where, TOKENIZER_FILES.config);
  const mapFile = path.join(where, TOKENIZER_FILES.specialTokens);
  const config = texts.tokenizerConfigJson === undefined ? {} : parseObject(texts.tokenizerConfigJson, configFile);
  const map = texts.specialTokensMapJson === undefined ? {} : parseObject(texts.specialTokensMapJson, mapFile);

  const special = (key: string, fallback: string): string => {
    for (const [source, file] of [[map, mapFile], [config, configFile]] as const) {
      if (source[key] === undefined || source[key] === null) continue;
      return tokenContent(source[key], file, key);
    }
    return fallback;
  };
  const bosToken = special('bos_token', START_OF_TEXT);
  const eosToken = special('eos_token', END_OF_TEXT);
  const padToken = special('pad_token', END_OF_TEXT);
  const unkToken = special('unk_token', END_OF_TEXT);
  for (const [key, token] of [['bos_token', bosToken], ['eos_token', eosToken], ['pad_token', padToken], ['unk_token', unkToken]] as const) {
    if (!vocab.has(token)) {
      throw new TokenizerFileError(path.join(where, TOKENIZER_FILES.vocab), `${key} ${JSON.stringify(token)} is not in the vocabulary; the tokenizer files do not belong together.`);
    }
  }

  let maxLength = CLIP_MAX_LENGTH;
  const configured = config['model_max_length'];
  if (configured !== undefined) {
    if (typeof configured !== 'number' || !Number.isInteger(configured) || configured < 2) {
      throw new TokenizerFileError(configFile, `model_max_length must be an integer >= 2, got ${JSON.stringify(configured)}.`);
    }
    // transformers writes 1e30 (VERY_LARGE_INTEGER) when a tokenizer has no limit of its own.
    if (configured <= 1_000_000) maxLength = configured;
  }
  const cleanUp = config['clean_up_tokenization_spaces'];
  const cleanUpTokenizationSpaces = typeof cleanUp === 'boolean' ? cleanUp : true;

  const addedTokens: [string, number][] = [];
  if (texts.addedTokensJson !== undefined) {
    const file = path.join(where, TOKENIZER_FILES.addedTokens);
    for (const [token, id] of Object.entries(parseObject(texts.addedTokensJson, file))) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new TokenizerFileError(file, `id of ${JSON.stringify(token)} must be a non-negative integer, got ${JSON.stringify(id)}.`);
      if (vocab.get(token) === id) continue; // a special token repeated there
      addedTokens.push([token, id]);
    }
    addedTokens.sort((a, b) => a[1] - b[1]);
  }
  return { vocab, merges, bosToken, eosToken, padToken, unkToken, maxLength, cleanUpTokenizationSpaces, addedTokens };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TokenizerFileError(file, `is not valid JSON (${(cause as Error).message}).`, { cause });
  }
}

function parseObject(text: string, file: string): Record<string, unknown> {
  const value = parseJson(text, file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TokenizerFileError(file, 'must hold a JSON object.');
  return value as Record<string, unknown>;
}

function parseVocab(text: string, file: string): Map<string, number> {
  const object = parseObject(text, file);
  const vocab = new Map<string, number>();
  const seen = new Map<number, string>();
  for (const [token, id] of Object.entries(object)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerFileError(file, `the id of ${JSON.stringify(token)} must be a non-negative integer, got ${JSON.stringify(id)}.`);
    }
    const other = seen.get(id);
    if (other !== undefined) throw new TokenizerFileError(file, `id ${id} is given to both ${JSON.stringify(other)} and ${JSON.stringify(token)}.`);
    seen.set(id, token);
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new TokenizerFileError(file, 'the vocabulary is empty.');
  return vocab;
}

function parseMerges(text: string, file: string): BpeMerge[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const merges: BpeMerge[] = [];
  lines.forEach((line, index) => {
    if (index === 0 && line.startsWith('#version')) return;
    const trimmed = line.trim();
    if (trimmed === '') return;
    const parts = trimmed.split(/\s+/);
    if (parts.length !== 2) throw new TokenizerFileError(file, `line ${index + 1} must hold two symbols separated by a space, got ${JSON.stringify(line)}.`);
    merges.push([parts[0]!, parts[1]!]);
  });
  return merges.slice(0, CLIP_MAX_MERGES);
}

/** A special token as config files write it: a string, or an AddedToken object with `content`. */
function tokenContent(value: unknown, file: string, key: string): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  throw new TokenizerFileError(file, `${key} must be a string or an object with a "content" string, got ${JSON.stringify(value)}.`);
}
