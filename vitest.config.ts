import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@otel-cloud-logs/source'] },
  ssr: { resolve: { conditions: ['@otel-cloud-logs/source'] } },
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
