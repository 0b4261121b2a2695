import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { canvasConformance } from '../conformance/canvas.suite.js';
import { flushLeadDb, LEAD_DBS, requireRedis } from '../helpers/lead-redis.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from '../helpers/redis.js';

const url = `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${LEAD_DBS.canvasRedis}`;
beforeAll(requireRedis);
afterAll(() => flushLeadDb(LEAD_DBS.canvasRedis));

canvasConformance('redis broker + redis backend', () =>
  new Celeriac({ broker: url, backend: url, defaultQueue: `canvas-${randomUUID().slice(0, 8)}`, logLevel: 'silent' }),
);

canvasConformance('redis, every continuation referenced', () =>
  new Celeriac({ broker: url, backend: url, defaultQueue: `canvas-ref-${randomUUID().slice(0, 8)}`, continuations: 'reference', referenceThresholdBytes: 0, logLevel: 'silent' }),
);
