import { describe, expect, it } from 'vitest';
import { connectedComponents } from '@perfusion/toyworld';

describe('connectedComponents', () => {
  it('joins diagonal neighbours of one label, splits different labels, and skips the background label', () => {
    // 4 × 3 label map; 0 is background.
    const labels = Uint8Array.from([
      1, 0, 0, 2,
      0, 1, 0, 2,
      0, 0, 3, 0,
    ]);
    const found = connectedComponents(labels, 4, 3, 0).map(({ label, area, x0, y0, x1, y1 }) => ({ label, area, box: [x0, y0, x1, y1] }));
    expect(found).toEqual([
      { label: 1, area: 2, box: [0, 0, 2, 2] },
      { label: 2, area: 2, box: [3, 0, 4, 2] },
      { label: 3, area: 1, box: [2, 2, 3, 3] },
    ]);
  });
});
