/**
 * Issue 12 item 11: TLS on Redis configured in code or in the URL (CA, client cert, servername,
 * rejectUnauthorized), used by every connection the worker opens (commands, blocking waits,
 * pub/sub, remote control), and a certificate failure reported as such at once instead of
 * "Redis unreachable" after the operation deadline. Runs against a TLS-only redis-server of its own
 * (free port, certificates made with openssl in a temporary directory, stopped by PID).
 * RabbitMQ: the test broker has no TLS listener, so only the option plumbing is checked (URL
 * parameters → tls.connect options, and the remote control getting the broker's TLS settings).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import { resolveAmqpOptions } from '../../src/broker/amqp/options.js';
import { redisTarget } from '../../src/redis/tls.js';
import { waitFor } from '../helpers/crash.js';

let dir = '';
let port = 0;
let server: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function openssl(...args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed (is openssl on PATH? apt-get install openssl): ${(error as Error).message}`);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'celeriac-tls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=celeriac test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  port = await freePort();
  server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'),
    '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const ca = readFileSync(join(dir, 'ca.crt'));
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    10_000,
    `a TLS redis-server on port ${port} (redis-server built with TLS?)`,
  );
}, 30_000);

afterAll(() => {
  if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(app: Celeriac): Promise<unknown> {
  app.task('tls.echo', (value: string) => value);
  // Remote control on (the default for a Redis URL): its connections need TLS too.
  const worker = await app.worker({ queues: ['tls'], concurrency: 2, handleSignals: false }).start();
  try {
    return await app.sendTask('tls.echo', ['over tls'], {}, { queue: 'tls' }).then((result) => result.get({ timeout: 10_000 }));
  } finally {
    await worker.stop({ timeoutMs: 5_000 });
    await app.close();
  }
}

describe('Redis over TLS', () => {
  it('with the CA in the URL (Celery spelling), every connection including remote control', async () => {
    const url = `rediss://localhost:${port}/0?ssl_cert_reqs=required&ssl_ca_certs=${encodeURIComponent(join(dir, 'ca.crt'))}`;
    expect(await roundTrip(new Celeriac({ broker: url, backend: url, logLevel: 'silent' }))).toBe('over tls');
  }, 30_000);

  it('with the CA and servername in code', async () => {
    const url = `rediss://127.0.0.1:${port}/1`;
    const tls = { ca: readFileSync(join(dir, 'ca.crt')), servername: 'localhost' };
    expect(await roundTrip(new Celeriac({ broker: url, backend: url, brokerOptions: { tls }, backendOptions: { tls }, logLevel: 'silent' }))).toBe('over tls');
  }, 30_000);

  it('reports an untrusted certificate as a TLS failure, at once', async () => {
    const url = `rediss://localhost:${port}/2`;
    const app = new Celeriac({ broker: url, backend: url, logLevel: 'silent', backendOptions: { operationTimeoutMs: 60_000 }, brokerOptions: { operationTimeoutMs: 60_000 } });
    try {
      await expect(app.worker({ handleSignals: false, remoteControl: false }).start()).rejects.toThrow(/TLS with Redis at rediss:\/\/localhost:\d+\/2 failed: .*(self[- ]signed|certificate)/i);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('rejectUnauthorized: false (ssl_cert_reqs=none) connects without the CA', async () => {
    const url = `rediss://localhost:${port}/3?ssl_cert_reqs=none`;
    expect(await roundTrip(new Celeriac({ broker: url, backend: url, logLevel: 'silent' }))).toBe('over tls');
  }, 30_000);
});

describe('TLS option plumbing', () => {
  it('Redis: URL parameters become tls options, code wins, and they leave the URL', () => {
    const ca = join(dir, 'ca.crt');
    const target = redisTarget(`rediss://:pw@h:6380/0?ssl_ca_certs=${ca}&ssl_certfile=${ca}&ssl_keyfile=${join(dir, 'server.key')}&ssl_cert_reqs=CERT_NONE&ssl_servername=x`, { servername: 'y' });
    expect(target.url).toBe('rediss://:pw@h:6380/0');
    expect(target.tls).toMatchObject({ rejectUnauthorized: false, servername: 'y' });
    expect(Buffer.isBuffer(target.tls?.ca) && Buffer.isBuffer(target.tls?.cert) && Buffer.isBuffer(target.tls?.key)).toBe(true);
    expect(redisTarget('redis://h/0').tls).toBeUndefined();
    expect(() => redisTarget('redis://h/0?ssl_cert_reqs=required')).toThrow(/need the rediss:\/\/ scheme/);
    expect(() => redisTarget(`rediss://:secret@h/0?ssl_ca_certs=/nope/ca.pem`)).toThrow(/Cannot read ssl_ca_certs=\/nope\/ca.pem of rediss:\/\/:\*\*\*\*@h\/0/);
  });

  it('RabbitMQ: amqps:// URL parameters become tls.connect options, code wins', () => {
    const ca = join(dir, 'ca.crt');
    const resolved = resolveAmqpOptions({ url: `amqps://u:p@h/v?cacertfile=${ca}&verify=verify_none&server_name_indication=sni`, tls: { servername: 'code' } });
    expect(resolved.tls).toMatchObject({ rejectUnauthorized: false, servername: 'code' });
    expect(Buffer.isBuffer(resolved.tls.ca)).toBe(true);
    expect(() => resolveAmqpOptions({ url: `amqp://h/v?verify=verify_peer` })).toThrow(/need the amqps:\/\/ scheme/);
  });
});
