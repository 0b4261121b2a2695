/**
 * Prometheus metrics of a worker (option `metrics`, CLI `--metrics-port`): tasks by name and end
 * state, a runtime histogram, active / prefetch gauges and queue depth, served on /metrics.
 */
import { describe, expect, it } from 'vitest';
import { memoryApp } from '../helpers/memory-app.js';

describe('worker metrics', () => {
  it('counts tasks by name and state, observes runtimes, reports gauges and queue depth', async () => {
    const app = memoryApp();
    const add = app.task('add', (x: number, y: number) => x + y);
    const boom = app.task('boom', () => {
      throw new Error('kaboom');
    });
    const worker = await app.worker({ metrics: { port: 0, host: '127.0.0.1' } }).start();
    try {
      const port = worker.metricsPort!;
      expect(port).toBeGreaterThan(0);
      await (await add.delay(1, 2)).get({ timeout: 5000 });
      await (await add.delay(3, 4)).get({ timeout: 5000 });
      await (await boom.delay()).get({ timeout: 5000, propagate: false });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('celeriac_tasks_total{task="add",state="SUCCESS"} 2');
      expect(text).toContain('celeriac_tasks_total{task="boom",state="FAILURE"} 1');
      expect(text).toContain('celeriac_task_runtime_seconds_count{task="add"} 2');
      expect(text).toContain('celeriac_tasks_active 0');
      expect(text).toContain('celeriac_prefetch_in_use 0');
      expect(text).toContain('celeriac_queue_depth{queue="celery"} 0');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await worker.stop();
      await app.close();
    }
  });
});
