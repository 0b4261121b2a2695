import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // A TLS alert that reaches a socket ioredis already dropped while closing (seen once in
    // test/integration/hardening-tls.test.ts, after its tests passed) is not a test failure; every
    // other unhandled error still fails the run.
    onUnhandledError: (error) => ((error as { code?: unknown }).code === 'ERR_SSL_TLSV1_ALERT_DECODE_ERROR' ? false : undefined),
  },
});
