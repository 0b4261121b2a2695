/** The schedule store conformance suite against the memory adapter (handles of one name share data). */
import { randomUUID } from 'node:crypto';
import { MemoryScheduleStore } from '../../src/schedule/store/memory.js';
import { scheduleStoreConformance } from './schedule-store.suite.js';

const name = `schedules-${randomUUID()}`;
scheduleStoreConformance('memory', async () => new MemoryScheduleStore({ name }));
