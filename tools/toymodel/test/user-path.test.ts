import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUserPath } from '../src/user-path.js';

describe('resolveUserPath', () => {
  it('resolves against the folder npm was called from, not the package folder it runs the script in', () => {
    expect(resolveUserPath('docs/toy-model', { INIT_CWD: '/repo' }, '/repo/tools/toymodel')).toBe(path.resolve('/repo/docs/toy-model'));
  });

  it('falls back to the process folder when the script runs outside npm', () => {
    expect(resolveUserPath('out', {}, '/somewhere')).toBe(path.resolve('/somewhere/out'));
  });

  it('keeps absolute paths as they are', () => {
    expect(resolveUserPath('/tmp/eval', { INIT_CWD: '/repo' }, '/repo/tools/toymodel')).toBe(path.resolve('/tmp/eval'));
  });
});
