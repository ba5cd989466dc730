import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup/isolate.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
