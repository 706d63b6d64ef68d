import { defineConfig } from 'vitest/config';

/**
 * Settings every project's vitest config merges in. The `@perfusion/source` export condition
 * makes `@perfusion/*` imports resolve to TypeScript sources, so tests never need a prior build.
 */
export default defineConfig({
  resolve: { conditions: ['@perfusion/source'] },
  ssr: { resolve: { conditions: ['@perfusion/source'], externalConditions: ['@perfusion/source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
