import { describe, expect, it } from 'vitest';
import { exampleInReadme, exampleInTest } from '@perfusion/test-support';
import { Rng } from '@perfusion/tensor-core';
import { analyseImage, caption, randomScene, renderScene } from '@perfusion/toyworld';

// The README's example is the code between the example markers below, preceded by the import lines
// above; the first test checks the README shows exactly that, the second runs it.

describe('README example', () => {
  it('is the code this test runs', () => {
    expect(exampleInReadme(new URL('../README.md', import.meta.url))).toBe(exampleInTest(new URL(import.meta.url)));
  });

  it('runs and does what its comments say', () => {
    // example:start
    const rng = new Rng(42);
    const scene = randomScene(rng, { objects: 2 }); // the same seed always gives the same scene
    const text = caption(scene); // e.g. "a large blue ring at the top and a small yellow circle on the right, orange background"
    const image = renderScene(scene); // 64×64 RgbImage, exact edges

    // Read the scene back from pixels (for a generated image: pass the scene its prompt described).
    const analysis = analyseImage(image, scene);
    // analysis.background, analysis.objects[i].{shape, colour, size, position}, and
    // analysis.score: per-attribute agreement with the scene; exact on clean renders.
    // example:end

    expect(text).toMatch(/^a (small|large) .* and a (small|large) .*, \w+ background$/);
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(analysis.objects).toHaveLength(2);
    expect(analysis.score?.exact).toBe(true);
  });
});
