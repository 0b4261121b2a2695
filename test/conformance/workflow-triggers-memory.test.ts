import { randomUUID } from 'node:crypto';
import { Celeriac } from '../../src/index.js';
import { workflowTriggersSuite } from './workflow-triggers.suite.js';

let name = randomUUID();
workflowTriggersSuite('memory', {
  app: () => {
    name = randomUUID();
    return new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' });
  },
  second: () => new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' }),
});
