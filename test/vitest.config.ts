import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup/isolate.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // @actions/workflow-parser imports its schema JSON without an import
    // attribute, which Node refuses: let vite load it instead.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
