import { randomUUID } from 'node:crypto';
import { Celeriac } from '../../src/index.js';
import { workflowSignalsSuite } from './workflow-signals.suite.js';

let name = randomUUID();
workflowSignalsSuite('memory', {
  app: () => {
    name = randomUUID();
    return new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' });
  },
  second: () => new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' }),
});
