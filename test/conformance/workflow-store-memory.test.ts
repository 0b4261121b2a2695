import { randomUUID } from 'node:crypto';
import { MemoryWorkflowStore } from '../../src/workflow/store/memory.js';
import { workflowStoreConformance } from './workflow-store.suite.js';

workflowStoreConformance('memory', async () => new MemoryWorkflowStore({ name: randomUUID() }));
