import { randomUUID } from 'node:crypto';
import { MemoryBackend } from '../../src/backend/memory.js';
import { MemoryBroker } from '../../src/broker/memory.js';
import { backendConformance } from './backend.suite.js';
import { brokerConformance } from './broker.suite.js';

const name = `conformance-${randomUUID()}`;
brokerConformance('memory', async () => new MemoryBroker({ name }), { priorityOrder: 'higher-first', queuePrefix: 'conf.' });
backendConformance('memory', async () => new MemoryBackend({ name }));
