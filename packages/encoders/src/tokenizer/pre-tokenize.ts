import { toByteChars } from './byte-alphabet.js';

/** CLIP's start-of-text token. */
export const START_OF_TEXT = '<|startoftext|>';
/** CLIP's end-of-text token; SD's tokenizer also pads and replaces unknowns with it. */
export const END_OF_TEXT = '<|endoftext|>';
/** Marks the last symbol of a word in CLIP's BPE. */
export const END_OF_WORD = '</w>';

/**
 * CLIP's word splitter, as in OpenAI's `simple_tokenizer.py` and transformers' `CLIPTokenizer`:
 * the two special tokens, English clitics, runs of letters, single digits, runs of other
 * non-space characters. Matched case-insensitively, as CLIP does (`re.IGNORECASE`).
 */
export const CLIP_WORD_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/**
 * CLIP's text normalisation as the Hugging Face fast CLIP tokenizer (`tokenizer.json` of
 * openai/clip-vit-large-patch14) does it: Unicode NFC, every whitespace run to one space,
 * lower-case (and trimmed, which the splitter would do anyway).
 */
export function normalizeClipText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Splits normalised text into CLIP words (before the byte-level mapping). */
export function splitClipWords(normalized: string): string[] {
  return normalized.match(CLIP_WORD_PATTERN) ?? [];
}

/**
 * A word as BPE starts from it: one symbol per byte-level character, the last one carrying
 * `</w>`. Special tokens are not words; callers handle them before calling this.
 */
export function wordToInitialSymbols(word: string): string[] {
  const chars = [...toByteChars(word)];
  chars[chars.length - 1] += END_OF_WORD;
  return chars;
}
