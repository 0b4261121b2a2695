/**
 * The `celeriac` command refuses bad input with one line and a non-zero exit, before connecting:
 * invalid numbers and log levels, no broker for `call`, no backend for `result`, an unreachable
 * broker (URL named, password masked, no hang), a wrong password, a missing module.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AMQP_TEST_URL } from '../helpers/amqp.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from '../helpers/redis.js';

const exec = promisify(execFile);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];
const noEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CELERIAC_BROKER_URL' && key !== 'CELERIAC_RESULT_BACKEND'));

async function fails(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const outcome = await exec('node', [...cli, ...args], { env: noEnv, timeout: 30_000 }).then(
    (ok) => ({ code: 0, ...ok }),
    (error: { code: number; stderr: string; stdout: string }) => error,
  );
  expect(outcome.code).not.toBe(0);
  return outcome;
}

const lines = (text: string) => text.trim().split('\n');

describe('the CLI refuses bad input', () => {
  it.each([
    [['worker', '-c', 'abc', '--broker', 'memory://'], "invalid --concurrency 'abc': expected an integer ≥ 1"],
    [['worker', '--concurrency', '0', '--broker', 'memory://'], "invalid --concurrency '0'"],
    [['worker', '--prefetch-multiplier', '1.5', '--broker', 'memory://'], "invalid --prefetch-multiplier '1.5'"],
    [['worker', '-P', 'forks', '--broker', 'memory://'], "invalid --pool 'forks': expected async, threads"],
    [['call', 'add', '--countdown', 'soon', '--broker', 'memory://'], "invalid --countdown 'soon'"],
    [['call', 'add', '--priority', '300', '--broker', 'memory://'], "invalid --priority '300': expected an integer from 0 to 255"],
    [['call', 'add', '--eta', 'tomorrow', '--broker', 'memory://'], "invalid --eta 'tomorrow'"],
    [['result', 'x', '--timeout', '-1', '--backend', 'memory://'], "invalid --timeout '-1'"],
    [['worker', '-l', 'loud', '--broker', 'memory://'], "invalid log level 'loud'"],
    [['-l', 'verbose', 'worker', '--broker', 'memory://'], "invalid log level 'verbose'"],
  ])('%j → one line naming the flag', async (args, message) => {
    const { code, stderr } = await fails(args);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(lines(stderr)).toHaveLength(1);
  });

  it('call without a broker names -A, --broker and the environment variable', async () => {
    const { code, stderr } = await fails(['call', 'add']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('celeriac: ConfigError: no broker configured: pass -A <module> (its app sets broker), --broker <url>, or set CELERIAC_BROKER_URL');
  });

  it('result without a backend names -A, --backend and the environment variable', async () => {
    const { stderr } = await fails(['result', 'some-id']);
    expect(stderr).toContain('--backend <url>, or set CELERIAC_RESULT_BACKEND');
  });

  it('an unreachable Redis broker: the URL with its password masked, exit 2, no stack, no hang', async () => {
    const { code, stderr } = await fails(['call', 'add', '--broker', 'redis://:s3cret@127.0.0.1:1/0', '--connect-timeout', '5']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('celeriac: TransportError: cannot connect to broker redis://:****@127.0.0.1:1/0: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('a worker on an unreachable broker exits non-zero instead of waiting; -l debug adds the stack', async () => {
    const { code, stderr } = await fails(['worker', '--broker', 'redis://:s3cret@127.0.0.1:1/0', '-l', 'debug']);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot connect to broker redis://:****@127.0.0.1:1/0');
    expect(stderr).toMatch(/\n\s+at /);
    expect(stderr).not.toContain('s3cret');
  });

  it('a wrong RabbitMQ password is one masked line', async () => {
    const url = new URL(AMQP_TEST_URL);
    url.password = 'wrong-password';
    const { stderr } = await fails(['call', 'add', '--broker', url.toString()]);
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toContain('ACCESS_REFUSED');
    expect(stderr).not.toContain('wrong-password');
  });

  it('a wrong Redis password is one masked line', async () => {
    const { stderr } = await fails(['call', 'add', '--broker', `redis://celeriac-nobody:wrong-password@${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/9`]);
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).not.toContain('wrong-password');
    expect(stderr).toMatch(/cannot connect to broker redis:\/\/celeriac-nobody:\*\*\*\*@.*WRONGPASS/);
  });

  it('a module that does not exist, or exports no app', async () => {
    expect((await fails(['call', 'add', '-A', 'no/such/tasks.ts'])).stderr).toContain('-A no/such/tasks.ts: no such module');
    expect((await fails(['call', 'add', '-A', 'test/fixtures/vectors.ts'])).stderr).toContain("does not export a Celeriac app as 'app' or 'default'");
  });
});
