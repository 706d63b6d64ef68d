import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyGuidance, UnetArgumentError } from '../src/index.js';

// Golden values from PyTorch (test/golden/guidance.py: diffusers' guidance line on float32 CPU tensors).
const golden = JSON.parse(readFileSync(new URL('./golden/guidance.json', import.meta.url), 'utf8')) as {
  uncond: number[];
  cond: number[];
  cases: { guidanceScale: number; out: number[] }[];
};

describe('applyGuidance', () => {
  it.each(golden.cases.map((c) => [c.guidanceScale, c.out] as const))('matches PyTorch bit for bit at g = %s', (g, out) => {
    const uncond = Float32Array.from(golden.uncond);
    const cond = Float32Array.from(golden.cond);
    const result = applyGuidance(uncond, cond, g, new Float32Array(uncond.length));
    expect(Array.from(result)).toEqual(out);
  });

  it('computes uncond + g·(cond − uncond), also in place', () => {
    const uncond = Float32Array.from([1, -2, 0.5]);
    const cond = Float32Array.from([3, -2, 0]);
    expect(Array.from(applyGuidance(uncond, cond, 7.5, new Float32Array(3)))).toEqual([16, -2, -3.25]);
    applyGuidance(uncond, cond, 2, uncond);
    expect(Array.from(uncond)).toEqual([5, -2, -0.5]);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => applyGuidance(new Float32Array(2), new Float32Array(3), 2, new Float32Array(2))).toThrow(UnetArgumentError);
  });
});
