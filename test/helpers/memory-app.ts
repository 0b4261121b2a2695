import { randomUUID } from 'node:crypto';
import { Celeriac, type CeleriacOptions } from '../../src/index.js';

/** An app on its own isolated memory broker and backend. */
export function memoryApp(options: CeleriacOptions = {}): Celeriac {
  const name = randomUUID();
  return new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent', ...options });
}
