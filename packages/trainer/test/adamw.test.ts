import { describe, expect, it } from 'vitest';
import { AdamW } from '../src/index.js';

// Golden values: torch.optim.AdamW (torch 1.13, float64) on the same two groups and gradients;
// produced by test/golden/adamw.py with Debian's /usr/bin/python3.
const TORCH_A = [0.4722535057322482, -1.2705110046312065, 1.9531295685140324];
const TORCH_B = [0.9819604148894787, 0.0008215485502482062];
const GRADIENTS: [number[], number[]][] = [
  [[0.1, -0.2, 0.3], [1.0, -1.0]],
  [[0.0, 0.5, -0.5], [0.25, 2.0]],
  [[-0.3, 0.1, 0.0], [-0.5, 0.5]],
  [[1e-3, -1e-3, 2.0], [0.0, 0.0]],
  [[0.2, 0.2, 0.2], [3.0, -3.0]],
];

function groups() {
  return [
    { name: 'a', values: Float32Array.from([0.5, -1.25, 2.0]), learningRate: 0.03, weightDecay: 0.01 },
    { name: 'b', values: Float32Array.from([1.0, 0.0]), learningRate: 0.006, weightDecay: 0.01 },
  ];
}

describe('AdamW', () => {
  it('matches torch.optim.AdamW with per-group learning rates (float32 parameters)', () => {
    const g = groups();
    const optimizer = new AdamW(g);
    for (const [ga, gb] of GRADIENTS) optimizer.step([ga, gb]);
    expect(optimizer.stepCount).toBe(5);
    g[0]!.values.forEach((v, i) => expect(v).toBeCloseTo(TORCH_A[i]!, 6));
    g[1]!.values.forEach((v, i) => expect(v).toBeCloseTo(TORCH_B[i]!, 6));
  });

  it('continues bit for bit from a saved step count and moments', () => {
    const whole = groups();
    const straight = new AdamW(whole);
    for (const [ga, gb] of GRADIENTS) straight.step([ga, gb]);

    const first = groups();
    const before = new AdamW(first);
    for (const [ga, gb] of GRADIENTS.slice(0, 2)) before.step([ga, gb]);
    const saved = before.state.map((m) => ({ m: m.m.slice(), v: m.v.slice() }));
    const resumedGroups = first.map((group) => ({ ...group, values: group.values.slice() }));
    const after = new AdamW(resumedGroups, undefined, before.stepCount, saved);
    for (const [ga, gb] of GRADIENTS.slice(2)) after.step([ga, gb]);
    expect(resumedGroups[0]!.values).toEqual(whole[0]!.values);
    expect(resumedGroups[1]!.values).toEqual(whole[1]!.values);
  });

  it('rejects gradients and moments of the wrong length, naming the group', () => {
    const optimizer = new AdamW(groups());
    expect(() => optimizer.step([[1, 2], [1, 2]])).toThrow(/'a'.*2 values.*3/);
    expect(() => new AdamW(groups(), undefined, 0, [{ m: new Float64Array(1), v: new Float64Array(1) }])).toThrow(/'a'/);
  });
});
