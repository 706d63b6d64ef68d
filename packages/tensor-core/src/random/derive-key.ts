import { InvalidArgumentError } from '../errors.js';
import { GOLDEN_GAMMA, mix64 } from './splitmix64.js';

/*
 * Child stream keys for Rng.fork. The label is absorbed into the parent key one 64-bit word at a
 * time through SplitMix64's bijective mixer, with a type tag and the length first so that labels of
 * different types or lengths never collide structurally ('3' vs 3, 'ab' vs 'ab\0'). Not a
 * cryptographic hash: it spreads labels, it does not hide them.
 */

const MASK_64 = (1n << 64n) - 1n;
const FORK_DOMAIN = 0x666f726b5f726e67n; // "fork_rng": keeps child keys apart from plain seeds
const NUMBER_LABEL = 1n;
const STRING_LABEL = 2n;

function absorb(state: bigint, word: bigint): bigint {
  return mix64(((state ^ word) + GOLDEN_GAMMA) & MASK_64);
}

function float64Bits(value: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value === 0 ? 0 : value); // -0 and 0 are the same label
  return view.getBigUint64(0);
}

/** The key of the child stream `label` of the stream with key `parentKey`. */
export function deriveChildKey(parentKey: bigint, label: string | number): bigint {
  let state = mix64(parentKey ^ FORK_DOMAIN);
  if (typeof label === 'number') {
    if (!Number.isFinite(label)) {
      throw new InvalidArgumentError('Rng.fork(label)', `label ${label} is not a finite number; use a finite number or a string.`);
    }
    state = absorb(state, NUMBER_LABEL);
    state = absorb(state, float64Bits(label));
  } else if (typeof label === 'string') {
    const bytes = new TextEncoder().encode(label);
    state = absorb(state, STRING_LABEL);
    state = absorb(state, BigInt(bytes.length));
    for (let offset = 0; offset < bytes.length; offset += 8) {
      let word = 0n;
      for (let k = Math.min(7, bytes.length - offset - 1); k >= 0; k--) word = (word << 8n) | BigInt(bytes[offset + k]!);
      state = absorb(state, word);
    }
  } else {
    throw new InvalidArgumentError('Rng.fork(label)', `label must be a string or a number, got ${typeof label}.`);
  }
  return mix64(state);
}
