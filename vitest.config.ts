import { defineConfig } from 'vitest/config';

// One run over every workspace project; each project's own vitest.config.ts merges vitest.shared.ts.
export default defineConfig({
  test: {
    projects: ['{packages,tools,apps}/*/vitest.config.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
