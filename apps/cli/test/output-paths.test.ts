import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOutPath, imagePaths, previewPath } from '../src/output-paths.js';

describe('output paths', () => {
  it('writes one image to --out and a batch to numbered siblings', () => {
    expect(imagePaths('out/cat.png', 1)).toEqual(['out/cat.png']);
    expect(imagePaths('out/cat.png', 3)).toEqual(['out/cat-0.png', 'out/cat-1.png', 'out/cat-2.png']);
    expect(imagePaths('a.b/cat.PNG', 2)).toEqual(['a.b/cat-0.PNG', 'a.b/cat-1.PNG']);
  });

  it('names the default image after the seed', () => {
    expect(defaultOutPath(42)).toBe('perfusion-42.png');
  });

  it('numbers previews by step, three digits, and by image in a batch', () => {
    expect(previewPath('p', 0, 0, 1)).toBe(path.join('p', 'step-000.png'));
    expect(previewPath('p', 12, 0, 1)).toBe(path.join('p', 'step-012.png'));
    expect(previewPath('p', 7, 1, 2)).toBe(path.join('p', 'step-007-1.png'));
    expect(previewPath('p', 1234, 0, 1)).toBe(path.join('p', 'step-1234.png'));
  });
});
