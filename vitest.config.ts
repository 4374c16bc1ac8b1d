import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@maskroom/source'] },
  ssr: { resolve: { conditions: ['@maskroom/source'] } },
  test: {
    include: ['{shared,server,client,tools}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['tools/vitest.global-setup.ts'],
    // Two cores: keep the pool small so heavy suites do not starve each other.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
