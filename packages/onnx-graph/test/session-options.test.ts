import { describe, expect, it } from 'vitest';
import { resolveExecutionProviders, sessionOptionsKey, toOrtSessionOptions } from '../src/session/options.js';

describe('session options → onnxruntime', () => {
  it('maps every option to onnxruntime’s field of the same meaning', () => {
    const ort = toOrtSessionOptions(
      {
        intraOpNumThreads: 2,
        interOpNumThreads: 3,
        graphOptimizationLevel: 'extended',
        enableCpuMemArena: false,
        enableMemPattern: false,
        executionMode: 'parallel',
        configEntries: { 'session.use_device_allocator_for_initializers': '1' },
        onWarning: () => {},
      },
      ['cuda', 'cpu'],
    );
    expect(ort).toEqual({
      executionProviders: ['cuda', 'cpu'],
      intraOpNumThreads: 2,
      interOpNumThreads: 3,
      graphOptimizationLevel: 'extended',
      enableCpuMemArena: false,
      enableMemPattern: false,
      executionMode: 'parallel',
      extra: { 'session.use_device_allocator_for_initializers': '1' },
    });
    // Unset options are left to onnxruntime's defaults.
    expect(toOrtSessionOptions({}, ['cpu'])).toEqual({ executionProviders: ['cpu'] });
  });

  it('keeps known providers in order, drops unknown ones with a warning, and always ends with cpu', () => {
    const warnings: string[] = [];
    const warn = (m: string): void => void warnings.push(m);
    expect(resolveExecutionProviders(undefined, ['cpu', 'cuda'], warn)).toEqual(['cpu']);
    expect(resolveExecutionProviders(['CUDA'], ['cpu', 'cuda'], warn)).toEqual(['cuda', 'cpu']);
    expect(resolveExecutionProviders(['cuda', 'cpu', 'cuda'], ['cpu', 'cuda'], warn)).toEqual(['cuda', 'cpu']);
    expect(warnings).toEqual([]);
    expect(resolveExecutionProviders(['dml', 'cuda'], ['cpu', 'cuda'], warn)).toEqual(['cuda', 'cpu']);
    expect(warnings).toEqual(["Execution provider 'dml' is not available in this onnxruntime-node build (available: cpu, cuda); using cpu instead."]);
  });

  it('keys sessions by every option that changes the session, not by the warning callback', () => {
    expect(sessionOptionsKey({ onWarning: () => {} })).toBe(sessionOptionsKey({}));
    expect(sessionOptionsKey({ configEntries: { a: '1', b: '2' } })).toBe(sessionOptionsKey({ configEntries: { b: '2', a: '1' } }));
    const variants = [
      {},
      { intraOpNumThreads: 1 },
      { interOpNumThreads: 1 },
      { graphOptimizationLevel: 'basic' as const },
      { enableCpuMemArena: false },
      { enableMemPattern: false },
      { executionMode: 'parallel' as const },
      { executionProviders: ['cuda'] },
      { configEntries: { a: '1' } },
      { configEntries: { a: '2' } },
    ];
    expect(new Set(variants.map(sessionOptionsKey)).size).toBe(variants.length);
  });
});
