export { BYTE_CHARS_IN_VOCAB_ORDER, BYTE_TO_CHAR, fromByteChars, toByteChars } from './byte-alphabet.js';
export { BpeMerges, mergePair, type BpeMerge } from './bpe.js';
export { CLIP_WORD_PATTERN, END_OF_TEXT, END_OF_WORD, normalizeClipText, splitClipWords, START_OF_TEXT, wordToInitialSymbols } from './pre-tokenize.js';
export { cleanClipText, type ClipTextCleanup } from './text-cleanup.js';
export { cleanUpTokenizationSpaces, tokensToText } from './decode.js';
export {
  CLIP_MAX_LENGTH,
  CLIP_MAX_MERGES,
  parseTokenizerFiles,
  readTokenizerFiles,
  TOKENIZER_FILES,
  type TokenizerDefinition,
  type TokenizerFileTexts,
} from './tokenizer-files.js';
export { ClipTokenizer, type ClipTokenizerOptions, type TokenizedPrompt } from './clip-tokenizer.js';
