/** Authentication of `celeriac serve`: basic auth with scrypt hashes, bearer tokens, refusal to start unprotected beyond loopback. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createServer, hashPassword, isLoopback, verifyPassword } from '../../src/server/index.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let aliceHash: string;
beforeAll(async () => {
  fx = await startFixture();
  aliceHash = await hashPassword('s3cret');
});
afterAll(() => fx.close());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('passwords', () => {
  it('hashes with scrypt and a random salt; verifies only the right password', async () => {
    expect(aliceHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await hashPassword('s3cret')).not.toBe(aliceHash);
    expect(await verifyPassword('s3cret', aliceHash)).toBe(true);
    expect(await verifyPassword('S3cret', aliceHash)).toBe(false);
  });
});

describe('basic auth and tokens', () => {
  it('a users file and a token protect every route but /api/ping; 401 in Director\'s shape otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'celeriac-auth-'));
    const file = join(dir, 'users');
    writeFileSync(file, `# operators\nalice:${aliceHash}\n`);
    const server = await createServer(fx.app, { auth: { usersFile: file, tokens: ['tok-123'] }, dashboardDir: '/nonexistent' });
    try {
      const call = (authorization?: string) => server.inject({ method: 'GET', url: '/api/workflows', headers: authorization ? { authorization } : {} });
      const missing = await call();
      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toEqual({ status: 401, error: 'unauthorized', message: 'Please authenticate to access this API.' });
      expect(missing.headers['www-authenticate']).toMatch(/^Basic realm="celeriac"/);
      expect((await call(basic('alice', 'wrong'))).statusCode).toBe(401);
      expect((await call(basic('mallory', 's3cret'))).statusCode).toBe(401);
      expect((await call('Bearer nope')).statusCode).toBe(401);
      expect((await call('Digest abc')).statusCode).toBe(401);
      expect((await call(basic('alice', 's3cret'))).statusCode).toBe(200);
      expect((await call(basic('alice', 's3cret'))).statusCode).toBe(200);
      expect((await call('Bearer tok-123')).statusCode).toBe(200);
      expect((await server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await server.inject({ method: 'POST', url: '/api/workflows', payload: { project: 'example', name: 'ETL', payload: { user: 1 } } })).statusCode).toBe(401);
      expect((await server.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ message: 'pong' });
    } finally {
      await server.close();
    }
  });

  it('reads users and tokens from the environment', async () => {
    const saved = { users: process.env['CELERIAC_SERVE_USERS'], tokens: process.env['CELERIAC_SERVE_TOKENS'] };
    process.env['CELERIAC_SERVE_USERS'] = `bob:${aliceHash}`;
    process.env['CELERIAC_SERVE_TOKENS'] = 'a-token, b-token';
    try {
      const server = await createServer(fx.app, { host: '0.0.0.0', dashboardDir: '/nonexistent' });
      const call = (authorization: string) => server.inject({ method: 'GET', url: '/api/definitions', headers: { authorization } });
      expect((await call(basic('bob', 's3cret'))).statusCode).toBe(200);
      expect((await call('Bearer b-token')).statusCode).toBe(200);
      expect((await call('Bearer c-token')).statusCode).toBe(401);
      await server.close();
    } finally {
      for (const [key, value] of [['CELERIAC_SERVE_USERS', saved.users], ['CELERIAC_SERVE_TOKENS', saved.tokens]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('refuses to start beyond loopback without credentials; loopback without credentials is open', async () => {
    await expect(createServer(fx.app, { host: '0.0.0.0' })).rejects.toThrow(ConfigError);
    await expect(createServer(fx.app, { host: '192.168.1.10' })).rejects.toThrow(/refusing to serve on 192.168.1.10 without credentials/);
    const open = await createServer(fx.app, { host: '127.0.0.1', dashboardDir: '/nonexistent' });
    expect((await open.inject({ method: 'GET', url: '/api/workflows' })).statusCode).toBe(200);
    await open.close();
    expect(isLoopback('localhost') && isLoopback('127.0.0.5') && isLoopback('::1') && isLoopback('[::1]')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('10.0.0.1')).toBe(false);
  });

  it('a malformed password hash is a configuration error naming the user, not a login failure', async () => {
    await expect(createServer(fx.app, { auth: { users: { carol: 'plaintext' } } })).rejects.toThrow(/user 'carol' is not a scrypt hash/);
  });

  it('CORS headers only when origins are configured', async () => {
    const closed = await createServer(fx.app, { dashboardDir: '/nonexistent' });
    const res = await closed.inject({ method: 'GET', url: '/api/ping', headers: { origin: 'https://ops.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await closed.close();
    const open = await createServer(fx.app, { cors: ['https://ops.example'], dashboardDir: '/nonexistent' });
    const allowed = await open.inject({ method: 'GET', url: '/api/ping', headers: { origin: 'https://ops.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example');
    await open.close();
  });
});
