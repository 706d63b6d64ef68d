import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { SceneError, caption, parseCaption, randomScene } from '@perfusion/toyworld';

describe('caption', () => {
  it('follows the grammar of the README', () => {
    expect(caption({ background: 'gray', objects: [{ shape: 'star', colour: 'red', size: 'small', position: 'left' }] })).toBe(
      'a small red star on the left, gray background',
    );
    expect(
      caption({
        background: 'orange',
        objects: [
          { shape: 'ring', colour: 'blue', size: 'large', position: 'top' },
          { shape: 'circle', colour: 'yellow', size: 'small', position: 'right' },
        ],
      }),
    ).toBe('a large blue ring at the top and a small yellow circle on the right, orange background');
  });

  it('is parsed back into the same scene, and stays short', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 500; i++) {
      const scene = randomScene(rng);
      const text = caption(scene);
      expect(parseCaption(text)).toEqual(scene);
      expect(text.split(' ').length).toBeLessThanOrEqual(22);
    }
  });

  it('rejects text outside the grammar', () => {
    expect(() => parseCaption('a small red star on the left')).toThrow(SceneError);
    expect(() => parseCaption('a tiny red star on the left, gray background')).toThrow(/does not follow the grammar/);
  });
});
