/**
 * Operating a worker: signals for metrics and alerts, progress a client can read while the task
 * runs. (Logs, events for Flower and `celeriac inspect` need no code: `celeriac worker -E`.)
 */
import { Celeriac, currentTask, type SignalMap } from '../src/index.js';

/** Register an import task that reports progress, and hooks that record what happened. */
export function operatingTasks(app: Celeriac) {
  const finished: Array<{ name: string; state: string; runtimeMs: number }> = [];
  const failures: string[] = [];
  const stopPostrun = app.signals.on('taskPostrun', ({ name, state, runtimeMs }: SignalMap['taskPostrun']) => void finished.push({ name, state, runtimeMs }));
  const stopFailure = app.signals.on('taskFailure', ({ name, id, error }) => void failures.push(`${name}[${id}]: ${String(error)}`));
  const importRows = app.task('ops.import_rows', async (rows: number) => {
    for (let done = 1; done <= rows; done++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (done < rows) await currentTask()!.updateState('PROGRESS', { done, total: rows });
    }
    if (rows === 0) throw new RangeError('nothing to import');
    return { imported: rows };
  });
  return { importRows, finished, failures, stop: () => (stopPostrun(), stopFailure()) };
}

/** Import a few rows, watching progress; then a failing import (a worker must be running). */
export async function runOperatingExample(app: Celeriac, log: (line: string) => void = console.log) {
  const { importRows, finished, failures, stop } = operatingTasks(app);
  const result = await importRows.delay(20);
  const seen = new Set<string>();
  while (!(await result.ready())) {
    if ((await result.state()) === 'PROGRESS') seen.add(JSON.stringify(await result.info()));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  log(`progress seen ${seen.size} time(s); result ${JSON.stringify(await result.get())}`);
  await (await importRows.delay(0)).get({ propagate: false });
  await new Promise((resolve) => setTimeout(resolve, 20));
  stop();
  return { value: await result.get(), progressSeen: seen.size, finished, failures };
}
