/**
 * Ports for the servers a test starts itself (a private redis-server): asked of the OS, never
 * assumed free. On a shared machine another Redis may listen on any "usual" test port.
 */
import { createServer } from 'node:net';

/** Listens on `port` at 127.0.0.1 (0 = any) and closes again; resolves with the port it got. */
function bindOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return bindOnce(0);
}

/** Throws when something already listens on `port` at 127.0.0.1 (e.g. another engineer's Redis). */
export async function assertPortFree(port: number): Promise<void> {
  try {
    await bindOnce(port);
  } catch (error) {
    throw new Error(`port ${port} on 127.0.0.1 is taken (${(error as Error).message}); a test server must not share it`);
  }
}
