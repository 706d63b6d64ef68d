import { fromByteChars } from './byte-alphabet.js';
import { END_OF_WORD } from './pre-tokenize.js';

/**
 * transformers' `clean_up_tokenization`: removes the space a word-level decode leaves before
 * punctuation and English contractions.
 */
export function cleanUpTokenizationSpaces(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/**
 * Text of vocabulary tokens (CLIPTokenizer's `convert_tokens_to_string`): the byte-level
 * characters decoded as UTF-8, each `</w>` a space, trimmed.
 */
export function tokensToText(tokens: readonly string[]): string {
  return fromByteChars(tokens.join('')).replaceAll(END_OF_WORD, ' ').trim();
}
