import { normalizeClipText } from './pre-tokenize.js';

/**
 * Which text cleanup runs before CLIP's word splitter:
 *
 * - `'fast'` (default) — the Hugging Face fast CLIP tokenizer (`tokenizer.json`): Unicode NFC,
 *   whitespace runs to one space, lower-case.
 * - `'basic'` — transformers' slow `CLIPTokenizer` when `ftfy` is not installed (it then falls back
 *   to BERT's `BasicTokenizer(strip_accents=False, do_split_on_punc=False)`): drops U+0000, U+FFFD
 *   and control/format characters (Unicode category C*, except tab, newline and carriage return,
 *   which count as spaces), puts spaces around CJK ideographs (so each one becomes its own word),
 *   NFC, splits on whitespace, lower-cases and joins with single spaces.
 *
 * The two agree on plain text; they differ on CJK ideograph runs and on zero-width and other
 * format characters (e.g. the U+200D joiner inside emoji sequences). Neither runs `ftfy.fix_text`
 * or HTML unescaping, which only OpenAI's original tokenizer (and transformers' slow one with
 * `ftfy` installed) apply: those would, for instance, turn `&amp;` into `&` and curly quotes
 * into straight ones.
 */
export type ClipTextCleanup = 'fast' | 'basic';

/** The cleanup of {@link ClipTextCleanup} `mode` applied to `text`. */
export function cleanClipText(text: string, mode: ClipTextCleanup = 'fast'): string {
  return mode === 'basic' ? basicClean(text) : normalizeClipText(text);
}

const CONTROL = /\p{C}/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

function basicClean(text: string): string {
  let cleaned = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEPARATOR.test(ch)) cleaned += ' ';
    else if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
    else if (isCjkIdeograph(cp)) cleaned += ` ${ch} `;
    else cleaned += ch;
  }
  return cleaned
    .normalize('NFC')
    .split(/\s+/u)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase())
    .join(' ');
}

/** The CJK ideograph blocks BERT's BasicTokenizer puts spaces around. */
function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
