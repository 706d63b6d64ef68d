import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Mt19937 } from '../src/index.js';

// Reference outputs of the original MT19937 code, not values this package produced. Sources are
// cited next to each list.

describe('Mt19937', () => {
  it('matches mt19937ar.c seeded by init_by_array({0x123, 0x234, 0x345, 0x456})', () => {
    // The first 20 lines' worth of mt19937ar.out ("1000 outputs of genrand_int32()"), the output file
    // shipped with Matsumoto and Nishimura's mt19937ar.c (2002); the first five are also pinned by
    // Ruby's test/ruby/test_rand.rb (test_mt).
    const expected = [
      1067595299, 955945823, 477289528, 4107218783, 4228976476, 3344332714, 3355579695, 227628506, 810200273, 2591290167,
      2560260675, 3242736208, 646746669, 1479517882, 4245472273, 1143372638, 3863670494, 3221021970, 1773610557, 1138697238,
    ];
    const generator = Mt19937.fromKey([0x123, 0x234, 0x345, 0x456]);
    expect(expected.map(() => generator.nextUint32())).toEqual(expected);
  });

  it('matches init_genrand(5489), the default seed of std::mt19937', () => {
    // OEIS A221557 (first outputs of MT19937 with seed 5489), also asserted by libc++'s tests of
    // std::mt19937; and the C++ standard ([rand.predef]) requires the 10000th output of a
    // default-constructed std::mt19937 to be 4123659995, which crosses sixteen state regenerations.
    const generator = Mt19937.fromSeed(5489);
    const first = [3499211612, 581869302, 3890346734, 3586334585, 545404204];
    expect(first.map(() => generator.nextUint32())).toEqual(first);
    let output = 0;
    for (let i = first.length; i < 10000; i++) output = generator.nextUint32();
    expect(output).toBe(4123659995);
  });

  it('rejects seeds and keys that are not 32-bit words', () => {
    expect(() => Mt19937.fromSeed(-1)).toThrow(InvalidArgumentError);
    expect(() => Mt19937.fromSeed(2 ** 32)).toThrow(InvalidArgumentError);
    expect(() => Mt19937.fromSeed(1.5)).toThrow(InvalidArgumentError);
    expect(() => Mt19937.fromKey([])).toThrow(InvalidArgumentError);
    expect(() => Mt19937.fromKey([1, 2 ** 32])).toThrow(/key\[1\]/);
  });
});
