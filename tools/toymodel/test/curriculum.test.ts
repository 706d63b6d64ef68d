import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SWITCH_STEPS, switchFlag } from '../src/training/curriculum.js';

describe('curriculum switches', () => {
  it('name their train-base flag in kebab case', () => {
    expect(switchFlag('lowContrastScenesFrom')).toBe('low-contrast-scenes-from');
    expect(switchFlag('patternsFrom')).toBe('patterns-from');
    expect(new Set(SWITCH_STEPS.map(switchFlag)).size).toBe(SWITCH_STEPS.length);
  });

  it('are each documented with their flag in the package README and train-base’s usage', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const usage = fs.readFileSync(new URL('../scripts/train-base.ts', import.meta.url), 'utf8');
    for (const key of SWITCH_STEPS) {
      expect(readme, key).toContain(`--${switchFlag(key)} STEP`);
      expect(usage, key).toContain(`--${switchFlag(key)}`);
    }
  });
});
