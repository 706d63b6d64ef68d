/**
 * The byte-level alphabet of GPT-2 and CLIP: every byte 0..255 is shown as one printable
 * character, so that a BPE over these characters can spell any UTF-8 text and never meets
 * whitespace or control characters.
 *
 * Order (it fixes ids 0..255 of a CLIP vocab): first the bytes that are already printable
 * (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) as themselves, in byte order; then the remaining 68 bytes in
 * byte order, shown as U+0100, U+0101, ... in that same order. So `!` is id 0, `a` id 64, the
 * space byte (shown as `Ġ`, U+0120) id 220.
 */
function buildByteAlphabet(): { readonly byByte: readonly string[]; readonly inVocabOrder: readonly string[] } {
  const isPrintable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const byByte = new Array<string>(256);
  const inVocabOrder: string[] = [];
  for (let b = 0; b < 256; b++) {
    if (isPrintable(b)) {
      byByte[b] = String.fromCharCode(b);
      inVocabOrder.push(byByte[b]!);
    }
  }
  let next = 0x100;
  const remapped: string[] = [];
  for (let b = 0; b < 256; b++) {
    if (!isPrintable(b)) {
      byByte[b] = String.fromCharCode(next++);
      remapped.push(byByte[b]!);
    }
  }
  inVocabOrder.push(...remapped);
  return { byByte, inVocabOrder };
}

const alphabet = buildByteAlphabet();

/** `BYTE_TO_CHAR[b]` is the alphabet character that stands for byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = alphabet.byByte;

/** The 256 alphabet characters in CLIP vocab order (ids 0..255). */
export const BYTE_CHARS_IN_VOCAB_ORDER: readonly string[] = alphabet.inVocabOrder;

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Spells a string's UTF-8 bytes in the byte-level alphabet. */
export function toByteChars(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/**
 * The text spelt by byte-level characters (the inverse of {@link toByteChars}). Invalid UTF-8
 * (a token boundary inside a multi-byte character) becomes U+FFFD, as Python's
 * `errors="replace"` does; characters outside the alphabet are kept as they are.
 */
export function fromByteChars(chars: string): string {
  const bytes: number[] = [];
  let out = '';
  const flush = (): void => {
    if (bytes.length > 0) out += utf8Decoder.decode(Uint8Array.from(bytes));
    bytes.length = 0;
  };
  for (const c of chars) {
    const b = CHAR_TO_BYTE.get(c);
    if (b === undefined) {
      flush();
      out += c;
    } else {
      bytes.push(b);
    }
  }
  flush();
  return out;
}
