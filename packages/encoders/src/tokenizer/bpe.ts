/** One BPE merge: two adjacent symbols that become one. */
export type BpeMerge = readonly [left: string, right: string];

/**
 * Replaces every non-overlapping occurrence of the adjacent pair (`left`, `right`) in `symbols`,
 * scanning left to right, by the joined symbol. Returns a new array.
 */
export function mergePair(symbols: readonly string[], left: string, right: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}

/** Space never occurs inside a byte-level symbol, so it can join a pair into one map key. */
const pairKey = (left: string, right: string): string => `${left} ${right}`;

/**
 * Applies ranked BPE merges to words, CLIP's way: repeatedly take the adjacent pair with the
 * lowest merge rank anywhere in the word and merge all its occurrences, until no adjacent pair
 * has a rank.
 */
export class BpeMerges {
  readonly #ranks = new Map<string, number>();

  /** `merges` in rank order (rank = index; the first line of merges.txt after its header is rank 0). */
  constructor(merges: Iterable<BpeMerge>) {
    let rank = 0;
    for (const [left, right] of merges) {
      // A repeated pair takes its last rank, as transformers' `dict(zip(merges, range(n)))` does.
      this.#ranks.set(pairKey(left, right), rank++);
    }
  }

  /** Number of distinct merge pairs. */
  get size(): number {
    return this.#ranks.size;
  }

  /** The rank of merging (`left`, `right`), or undefined when that pair never merges. */
  rank(left: string, right: string): number | undefined {
    return this.#ranks.get(pairKey(left, right));
  }

  /** The symbols `symbols` end up as after every applicable merge. */
  apply(symbols: readonly string[]): string[] {
    let current = [...symbols];
    for (;;) {
      let bestRank = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < current.length; i++) {
        const rank = this.#ranks.get(pairKey(current[i]!, current[i + 1]!));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) return current;
      current = mergePair(current, current[bestAt]!, current[bestAt + 1]!);
    }
  }
}
