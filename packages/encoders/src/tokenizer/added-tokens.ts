/** A piece of text between added tokens, or an added token's id. */
export type TextSegment = { readonly text: string } | { readonly id: number };

/**
 * Splits `text` at every occurrence of an added token (exact, case-sensitive match; the longest
 * token wins where several start at the same place), as transformers' slow tokenizers split
 * the raw text with a trie before normalising each piece. Tokens are matched anywhere, also
 * inside words and glued to punctuation.
 */
export function splitOnAddedTokens(text: string, pattern: RegExp | undefined, ids: ReadonlyMap<string, number>): TextSegment[] {
  if (pattern === undefined) return [{ text }];
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index) });
    segments.push({ id: ids.get(match[0])! });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

/** A global regex matching any of `tokens`, longest first; undefined when there are none. */
export function addedTokenPattern(tokens: Iterable<string>): RegExp | undefined {
  const sorted = [...tokens].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (sorted.length === 0) return undefined;
  return new RegExp(sorted.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu');
}
