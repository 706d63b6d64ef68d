import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPTION_COUNT, KeyLockArgumentError, builtInCaptions } from '@perfusion/key-lock';

describe('builtInCaptions', () => {
  const captions = builtInCaptions();

  it('has thousands of distinct captions', () => {
    expect(DEFAULT_CAPTION_COUNT).toBeGreaterThanOrEqual(3000);
    expect(captions.length).toBe(DEFAULT_CAPTION_COUNT);
    expect(new Set(captions).size).toBe(captions.length);
  });

  it('is varied: a large vocabulary, many sentence shapes, every kind of subject', () => {
    const words = new Set(captions.flatMap((c) => c.split(/[\s,]+/).filter((w) => w !== '')));
    expect(words.size).toBeGreaterThanOrEqual(1000);
    const firstThreeWords = new Set(captions.map((c) => c.split(' ').slice(0, 3).join(' ')));
    expect(firstThreeWords.size).toBeGreaterThanOrEqual(500);
    for (const word of ['cat', 'dog', 'woman', 'car', 'pizza', 'castle', 'tree', 'painting', 'sunset', 'bokeh', 'watercolor']) {
      expect(captions.filter((c) => c.includes(word)).length, word).toBeGreaterThanOrEqual(5);
    }
    // No single word dominates: the most common non-function word is in under 30% of captions.
    const counts = new Map<string, number>();
    for (const c of captions) for (const w of new Set(c.split(/[\s,]+/))) counts.set(w, (counts.get(w) ?? 0) + 1);
    const functionWords = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'and', 'at', 'with', 'by', 'to', 'its', 'from', 'under', 'next', 'style', 'photo']);
    const top = [...counts].filter(([w]) => !functionWords.has(w)).sort((x, y) => y[1] - x[1])[0]!;
    expect(top[1] / captions.length, top[0]).toBeLessThan(0.3);
  });

  it('keeps captions short enough for CLIP (77 tokens)', () => {
    for (const c of captions) {
      expect(c.split(/\s+/).length, c).toBeLessThanOrEqual(30);
      expect(c).toBe(c.trim());
      expect(c).not.toMatch(/\s{2}|undefined| ,/);
    }
  });

  it('uses "an" before vowels', () => {
    expect(captions.some((c) => / an (old|owl|oil|elephant|orange)/.test(c))).toBe(true);
    expect(captions.some((c) => / a (old|owl|elephant|orange)\b/.test(c))).toBe(false);
  });

  it('is deterministic, seedable and sized on request', () => {
    expect(builtInCaptions()).toEqual(captions);
    const other = builtInCaptions({ seed: 1 });
    expect(other.slice(0, 100)).toEqual(captions.slice(0, 100)); // the hand-written head
    expect(other).not.toEqual(captions);
    expect(builtInCaptions({ count: 10 })).toEqual(captions.slice(0, 10));
    expect(builtInCaptions({ count: 20_000 })).toHaveLength(20_000);
    expect(() => builtInCaptions({ count: -1 })).toThrow(KeyLockArgumentError);
    expect(() => builtInCaptions({ count: 1e9 })).toThrow(KeyLockArgumentError);
  });
});
