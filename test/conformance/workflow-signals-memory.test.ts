import { randomUUID } from 'node:crypto';
import { Celeriac } from '../../src/index.js';
import { MemoryWorkflowStore } from '../../src/workflow/store/memory.js';
import { signalStoreConformance } from './signal-store.suite.js';
import { workflowSignalsSuite } from './workflow-signals.suite.js';

let name = randomUUID();
workflowSignalsSuite('memory', {
  app: () => {
    name = randomUUID();
    return new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' });
  },
  second: () => new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' }),
});

signalStoreConformance('memory', async () => new MemoryWorkflowStore({ name: randomUUID() }));
