/**
 * vitest global setup: a second, private redis-server on a port the OS picks, for the test files
 * that need whole databases of their own beyond the shared test Redis's sixteen (see
 * test/helpers/second-redis.ts). Stopped by its PID when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { startFreePortRedis } from './helpers/free-port-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    secondRedisPort: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startFreePortRedis();
  project.provide('secondRedisPort', redis.port);
  return () => redis.stop();
}
