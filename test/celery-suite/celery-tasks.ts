/**
 * Celery 5.2.6's integration-test tasks (`t/integration/tasks.py`) implemented in TypeScript under
 * the same names, so Celery's own `t/integration/test_canvas.py` (from a Celery checkout, never
 * copied here) can run against a celeriac worker. Run the worker with:
 *   test/celery-suite/run.sh <celery-checkout> <redis-port> [broker-url]   (or: node --import tsx test/celery-suite/celery-tasks.ts <broker> <backend>)
 * `CELERY_TASKS_REDIS` is the Redis the tests' `get_redis_connection()` reads (redis_echo/redis_count).
 * Limitation: new-style errbacks `(request, exc, traceback)` are Python-only; `errback_new_style`
 * gets the failed task id, as an old-style errback does.
 */
import { Redis } from 'ioredis';
import { Celeriac, chain, chord, currentTask, group, signatureFromDict, type Signature } from '../../src/index.js';

const [broker = 'redis://127.0.0.1:6379/0', backend = broker] = process.argv.slice(2);
const redis = new Redis(process.env['CELERY_TASKS_REDIS'] ?? 'redis://127.0.0.1:6379/0');
export const app = new Celeriac({ broker, backend, logLevel: 'warn' });
const P = 't.integration.tasks.';
const kw = <T>(name: string, fallback: T): T => (currentTask()?.kwargs[name] as T | undefined) ?? fallback;
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Stands for t.integration.tasks.ExpectedException. */
class ExpectedException extends Error {
  override name = 'ExpectedException';
  readonly excModule = 't.integration.tasks';
  constructor(readonly excArgs: unknown[]) {
    super(String(excArgs[0]));
  }
}
class ValueError extends Error {
  override name = 'ValueError';
}

const identity = app.task(`${P}identity`, (x: unknown) => x);
/** Python's `+`: numbers add, lists concatenate, strings join. */
const plus = (a: unknown, b: unknown): unknown => (Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : (a as number) + (b as number));
const add = app.task(`${P}add`, (x: number, y: number, z?: number) => {
  const third = z ?? kw<number | null>('z', null);
  return (third ? plus(plus(x, y), third) : plus(x, y)) as number;
});
app.task(`${P}write_to_file_and_return_int`, async (fileName: string, i: number) => {
  const { appendFile } = await import('node:fs/promises');
  await appendFile(fileName, `${i}\n`);
  return i;
});
app.task(`${P}add_not_typed`, (x: number, y: number) => x + y);
app.task(`${P}add_ignore_result`, (x: number, y: number) => x + y, { ignoreResult: true });
const raiseError = app.task(`${P}raise_error`, (..._args: unknown[]): never => {
  throw new ValueError('deliberate error');
});
app.task(`${P}delayed_sum`, async (numbers: number[], pauseTime?: number) => {
  await sleep(pauseTime ?? kw('pause_time', 1));
  return sum(numbers);
});
app.task(`${P}delayed_sum_with_soft_guard`, async (numbers: number[], pauseTime?: number) => {
  const signal = currentTask()!.signal;
  await Promise.race([sleep(pauseTime ?? kw('pause_time', 1)), new Promise((resolve) => signal.addEventListener('abort', resolve))]);
  return signal.aborted ? 0 : sum(numbers);
});
const tsum = app.task(`${P}tsum`, (nums: number[]) => sum(nums));
app.task(`${P}add_replaced`, (x: number, y: number): number => currentTask()!.replace(add.s(x, y)));
const redisEcho = app.task(`${P}redis_echo`, async (message: string, key?: string) => {
  await redis.rpush(key ?? kw('redis_key', 'redis-echo'), message);
  return null;
});
const redisCount = app.task(`${P}redis_count`, async (key?: string) => {
  await redis.incr(key ?? kw('redis_key', 'redis-count'));
  return null;
});
const linkSig = (): Signature<unknown> => {
  const message = kw<string | null>('link_msg', null);
  return (message !== null ? redisEcho.si(message) : redisEcho.s()) as Signature<unknown>;
};
app.task(`${P}replace_with_chain`, (...args: unknown[]): unknown => currentTask()!.replace(chain(identity.s(...(args as [unknown])), identity.s()).link(linkSig())));
app.task(`${P}replace_with_chain_which_raises`, (...args: unknown[]): unknown =>
  currentTask()!.replace(chain(identity.s(...(args as [unknown])), raiseError.s()).linkError(linkSig())),
);
app.task(`${P}replace_with_empty_chain`, (..._args: unknown[]): never => currentTask()!.replace(chain()));
app.task(`${P}add_to_all`, (nums: number[], val: number): unknown => currentTask()!.replace(group(nums.map((n) => add.s(n, val)))));
app.task(`${P}add_to_all_to_chord`, async (nums: number[], val: number) => {
  for (const n of nums) await currentTask()!.addToChord(add.s(n, val));
  return 0;
});
app.task(`${P}add_chord_to_chord`, async (nums: number[], val: number) => {
  await currentTask()!.addToChord(chord(nums.map((n) => add.s(n, val)), tsum.s()));
  return 0;
});
app.task(`${P}print_unicode`, (logMessage?: string, printMessage?: string) => {
  console.warn(logMessage ?? kw('log_message', 'håå®ƒ valmuefrø'));
  console.log(printMessage ?? kw('print_message', 'hiöäüß'));
  return null;
});
app.task(`${P}return_exception`, (e: unknown) => [e, true]);
app.task(`${P}sleeping`, async (i: number) => {
  await sleep(i);
  return null;
});
app.task(`${P}ids`, (i?: number) => [currentTask()!.rootId, currentTask()!.parentId, i ?? kw('i', null)]);
app.task(`${P}collect_ids`, (res: unknown, i?: number) => [res, [currentTask()!.rootId, currentTask()!.parentId, i ?? kw('i', null)]]);
const retryOnce = (priority: boolean) => (..._args: unknown[]) => {
  const ctx = currentTask()!;
  if (ctx.retries) return priority ? ctx.deliveryInfo.priority : ctx.retries;
  return ctx.retry({ countdown: kw('countdown', 0.1), maxRetries: kw('max_retries', 1) });
};
app.task(`${P}retry_once`, retryOnce(false), { maxRetries: 1 });
app.task(`${P}retry_once_priority`, retryOnce(true), { maxRetries: 1 });
const secondOrder2 = app.task(`${P}second_order_replace2`, async (state?: boolean): Promise<null> => {
  if (!(state ?? kw('state', false))) {
    await redis.rpush('redis-echo', 'In B');
    return currentTask()!.replace(chain(redisEcho.s('In/Out C'), secondOrder2.si(true)));
  }
  await redis.rpush('redis-echo', 'Out B');
  return null;
});
const secondOrder1 = app.task(`${P}second_order_replace1`, async (state?: boolean): Promise<null> => {
  if (!(state ?? kw('state', false))) {
    await redis.rpush('redis-echo', 'In A');
    return currentTask()!.replace(chain(secondOrder2.s(), secondOrder1.si(true)));
  }
  await redis.rpush('redis-echo', 'Out A');
  return null;
});
app.task(`${P}build_chain_inside_task`, () => chain(add.s(1, 1), add.s(2), group(add.s(3), add.s(4)), add.s(5)).applyAsync());
const fail = app.task(`${P}fail`, (...args: unknown[]): never => {
  throw new ExpectedException(['Task expected to fail', ...args]);
});
app.task(`${P}fail_replaced`, (...args: unknown[]): never => currentTask()!.replace(fail.si(...args)));
app.task(`${P}return_priority`, () => `Priority: ${currentTask()!.deliveryInfo.priority ?? 'None'}`);
app.task(`${P}return_properties`, () => currentTask()!.properties);
app.task('auto_retry_class_task', () => {
  if (currentTask()!.retries) return currentTask()!.retries;
  throw new ValueError('');
}, { autoretryFor: [ValueError], maxRetries: 1, retryBackoff: true });
const nested: Record<string, () => unknown> = {
  chain_chain: () => chain(chain(add.s())),
  chain_group: () => chain(group(add.s())),
  chain_chord: () => chain(chord([add.s()], add.s())),
  group_chain: () => group(chain(add.s())),
  group_group: () => group(group(add.s())),
  group_chord: () => group(chord([add.s()], add.s())),
  chord_chain: () => chord(chain(add.s()), add.s()),
  chord_group: () => chord(group(add.s()), add.s()),
  chord_chord: () => chord([chord([add.s()], add.s())], add.s()),
};
for (const [kind, build] of Object.entries(nested)) app.task(`${P}return_nested_signature_${kind}`, () => (build() as { toJSON(): unknown }).toJSON());
app.task(`${P}rebuild_signature`, (dict: unknown) => {
  signatureFromDict(dict);
  return null;
});
app.task(`${P}errback_old_style`, async (requestId: string) => {
  await redisCount.fn(requestId);
  return requestId;
});
app.task(`${P}errback_new_style`, async (requestId: string) => {
  await redisCount.fn(requestId);
  return requestId;
});

if (process.argv[1]?.endsWith('celery-tasks.ts')) {
  await app.worker({ concurrency: 16, queues: ['celery'] }).run();
  redis.disconnect();
}
