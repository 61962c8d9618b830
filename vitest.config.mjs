import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fibers are OS threads sharing one isolate; forks keep each test file in its own process.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    server: {
      deps: {
        // Tests load the built package (dist/, CommonJS) exactly as users do.
        external: [/\/dist\//],
      },
    },
  },
});
