/**
 * Task logs in Celery's shape (received / succeeded in / raised unexpected / retry / revoked), the
 * level filter, a pino logger plugged in as is (structured fields kept), and the text format.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask, parseLogLevel, textLogger, type LogContext, type Logger } from '../../src/index.js';
import { LevelledLogger } from '../../src/logger.js';
import { memoryApp } from '../helpers/memory-app.js';

const T = { timeout: 5000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Entry {
  level: string;
  message: string;
  context: LogContext | undefined;
}

function capturing(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (a: LogContext | string, b?: string) =>
    void entries.push(typeof a === 'string' ? { level, message: a, context: undefined } : { level, message: b ?? '', context: a });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function appWith(logger: Logger, level: 'debug' | 'info' | 'warn' = 'info') {
  const app = memoryApp({ logger, logLevel: level });
  const add = app.task('add', (x: number, y: number) => x + y);
  const boom = app.task('boom', () => {
    throw new Error('kaboom');
  });
  const flaky = app.task('flaky', () => {
    if ((currentTask()?.retries ?? 0) < 1) throw currentTask()!.retry({ countdown: 0, exc: new Error('busy') });
    return 'ok';
  });
  const worker = await app.worker({ concurrency: 2 }).start();
  cleanups.push(async () => {
    await worker.stop();
    await app.close();
  });
  return { app, add, boom, flaky, worker };
}

describe('task logs', () => {
  it('logs received, succeeded (runtime, result repr), failures with the error, retries and revocations', async () => {
    const logger = capturing();
    const { app, add, boom, flaky } = await appWith(logger);
    const ok = await add.delay(2, 2);
    expect(await ok.get(T)).toBe(4);
    const failed = await boom.delay();
    await failed.get({ ...T, propagate: false });
    const retried = await flaky.delay();
    expect(await retried.get(T)).toBe('ok');
    const revoked = await add.applyAsync([1, 1], { countdown: 1.5 });
    await app.revoke(revoked.id);
    await revoked.get({ ...T, propagate: false });
    await until(() => logger.entries.some((e) => e.message.startsWith('Discarding')));

    const lines = logger.entries.map((e) => `${e.level} ${e.message}`);
    expect(lines).toContain(`info Task add[${ok.id}] received`);
    expect(lines.find((l) => l.startsWith(`info Task add[${ok.id}] succeeded in `))).toMatch(/succeeded in \d+\.\d{3}s: 4$/);
    expect(lines).toContain(`error Task boom[${failed.id}] raised unexpected: Error('kaboom')`);
    const failure = logger.entries.find((e) => e.level === 'error' && e.message.includes(failed.id))!;
    expect(failure.context).toMatchObject({ task: 'boom', taskId: failed.id, state: 'FAILURE' });
    expect((failure.context!['err'] as Error).stack).toContain('kaboom');
    expect(lines).toContain(`info Task flaky[${retried.id}] retry: Retry in 0s: Error('busy')`);
    expect(lines).toContain(`info Discarding revoked task: add[${revoked.id}]`);
  });

  it('drops task lines below the level; setLogLevel changes it at run time', async () => {
    const logger = capturing();
    const { app, add, boom } = await appWith(logger, 'warn');
    await (await add.delay(1, 1)).get(T);
    await (await boom.delay()).get({ ...T, propagate: false });
    await until(() => logger.entries.length > 0);
    expect(logger.entries.map((e) => e.level)).toEqual(['error']);
    app.setLogLevel('debug');
    const second = await add.delay(1, 2);
    await second.get(T);
    await until(() => logger.entries.length > 1);
    expect(logger.entries.some((e) => e.message === `Task add[${second.id}] received`)).toBe(true);
  });

  it('takes a pino logger as is and keeps the structured fields; -l style levels reach pino', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'warn' }, sink);
    const { app, add } = await appWith(logger, 'info');
    expect(logger.level).toBe('info');
    const result = await add.delay(20, 22);
    await result.get(T);
    await until(() => lines.some((l) => String(l['msg']).includes('succeeded')));
    const done = lines.find((l) => String(l['msg']).includes('succeeded'));
    expect(done).toMatchObject({ level: 30, task: 'add', taskId: result.id, state: 'SUCCESS' });
    expect(typeof done!['runtimeMs']).toBe('number');
    app.setLogLevel('error');
    expect(logger.level).toBe('error');
  });

  it('the text format writes Celery-shaped lines with the stack after a failure', () => {
    const out: string[] = [];
    const logger = new LevelledLogger(textLogger({ write: (line) => out.push(line) }), 'info');
    logger.debug('hidden');
    logger.info({ task: 'add', taskId: 'x' }, 'Task add[x] received');
    logger.error({ task: 'boom', err: new Error('kaboom'), queue: 'q' }, "Task boom[y] raised unexpected: Error('kaboom')");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: INFO\/MainProcess\] Task add\[x\] received\n$/);
    expect(out[1]).toContain(`ERROR/MainProcess] Task boom[y] raised unexpected: Error('kaboom') {"queue":"q"}\nError: kaboom\n    at `);
  });

  it('reads Celery level names and refuses unknown ones', () => {
    expect(parseLogLevel('WARNING')).toBe('warn');
    expect(parseLogLevel('Debug')).toBe('debug');
    expect(parseLogLevel('critical')).toBe('error');
    expect(() => parseLogLevel('loud')).toThrow("invalid log level 'loud'");
  });
});
