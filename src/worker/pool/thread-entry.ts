/**
 * A task thread: imports the app module (which registers the tasks), then runs jobs one at a time
 * with the same task context as in the main thread (`currentTask()`, abort signal, `retry()`).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runInTaskContext } from '../context.js';
import { classifyError, runningTaskFor, storableValue } from '../execute.js';
import type { TaskRegistry } from '../registry.js';
import { fromThreadError, toThreadError, type FromThread, type ToThread } from './messages.js';

const port = parentPort;
if (!port) throw new Error('celeriac: thread-entry must run in a worker thread');
const send = (message: FromThread) => port.postMessage(message);
const aborts = new Map<number, AbortController>();

/** What the thread uses of the app its module exports. */
interface ThreadApp {
  registry: TaskRegistry;
  /** The app's connections; its result backend grows chords for `addToChord()`. */
  connect(): Promise<{ backend: { growChord(groupId: string, count: number): Promise<void> } }>;
}

async function loadApp(moduleUrl: string): Promise<ThreadApp> {
  const module = (await import(moduleUrl)) as Record<string, unknown>;
  const app = (module['app'] ?? module['default']) as Partial<ThreadApp> | undefined;
  if (!app?.registry || typeof app.connect !== 'function') throw new Error(`${moduleUrl} does not export a Celeriac app as 'app' or 'default'`);
  return app as ThreadApp;
}

async function run(app: ThreadApp, job: Extract<ToThread, { type: 'run' }>): Promise<void> {
  const registry = app.registry;
  const { jobId, message } = job;
  const task = registry.get(message.headers.task);
  const abort = new AbortController();
  aborts.set(jobId, abort);
  if (!task) {
    send({ type: 'failure', jobId, error: toThreadError(new Error(`Task ${message.headers.task} is not registered in the thread's app`)), children: [] });
    return;
  }
  const updateState = async (state: string, meta: unknown) => send({ type: 'state', jobId, state, meta });
  const running = runningTaskFor(task, message, {
    hostname: job.hostname,
    queue: job.queue,
    signal: () => abort.signal,
    delivery: job.delivery,
    updateState,
    growChord: async (groupId, count) => (await app.connect()).backend.growChord(groupId, count),
  });
  try {
    const value = await runInTaskContext(running, async () => (task.fn as (...args: unknown[]) => unknown)(...message.args));
    send({ type: 'success', jobId, value: storableValue(value), children: running.children });
  } catch (error) {
    const outcome = classifyError(task, running.retries, error);
    if (outcome.kind === 'replace') {
      send({ type: 'replace', jobId, replacement: outcome.replacement });
    } else if (outcome.kind === 'retry') {
      send({ type: 'retry', jobId, countdownMs: outcome.countdownMs, maxRetries: outcome.maxRetries, cause: toThreadError(outcome.cause), children: running.children });
    } else {
      send({ type: 'failure', jobId, error: toThreadError(error), children: running.children });
    }
  } finally {
    aborts.delete(jobId);
  }
}

try {
  const app = await loadApp(String((workerData as { module: string }).module));
  port.on('message', (message: ToThread) => {
    if (message.type === 'abort') aborts.get(message.jobId)?.abort(fromThreadError(message.reason));
    else void run(app, message);
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'fatal', error: toThreadError(error) });
}
