/**
 * BullMQ in the scale run, written as in the main bench: `queue.add` + `completed` events (W1),
 * `addBulk` + events (group), a flow of one parent with N children (chord), a nested flow (chain).
 * @module
 */
import { FlowProducer } from 'bullmq';
import type { ChildHandle } from '../lib/child.js';
import { queueName } from '../lib/config.js';
import { BULLMQ_CONNECTION } from '../systems/bullmq-shared.js';
import { nestedFlow, startWorker, WatchedQueue } from '../systems/bullmq.js';
import { expectEqual, measure, type Measured, type ScaleDriver } from './types.js';

const TIMEOUT_MS = 900_000;

/** BullMQ on Redis; see the module documentation. */
export class BullmqScale implements ScaleDriver {
  private readonly watched = new WatchedQueue(queueName('bullmq', 'canvas'));
  private readonly flows = new FlowProducer({ connection: BULLMQ_CONNECTION }).setMaxListeners(0);
  private worker: ChildHandle | undefined;
  private counter = 0;

  async start(): Promise<void> {
    await this.watched.ready();
    this.worker = await startWorker(this.watched.name, 0);
  }

  w1(n: number): Promise<Measured> {
    return measure(this.cpu, async () => {
      const ids = this.ids(n);
      const completed = this.watched.expect(ids);
      await Promise.all(ids.map((jobId) => this.watched.queue.add('noop', {}, { jobId })));
      await completed;
    });
  }

  group(n: number): Promise<Measured> {
    return measure(this.cpu, async () => {
      const ids = this.ids(n);
      const completed = this.watched.expect(ids);
      await this.watched.queue.addBulk(ids.map((jobId, i) => ({ name: 'inc', data: { x: i }, opts: { jobId } })));
      await completed;
    });
  }

  chord(n: number): Promise<Measured> {
    return measure(this.cpu, async () => {
      const children = Array.from({ length: n }, (_, i) => ({ name: 'inc', queueName: this.watched.name, data: { x: i } }));
      const node = await this.flows.add({ name: 'xsum', queueName: this.watched.name, data: {}, children });
      expectEqual(await node.job.waitUntilFinished(this.watched.events, TIMEOUT_MS), (n * (n + 1)) / 2, 'BullMQ flow (chord)');
    });
  }

  chain(steps: number, _mode: 'inline' | 'reference', timeoutMs: number): Promise<Measured> {
    return measure(this.cpu, async () => {
      const node = await this.flows.add(nestedFlow(this.watched.name, steps));
      expectEqual(await node.job.waitUntilFinished(this.watched.events, timeoutMs), steps, 'BullMQ nested flow (chain)');
    });
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await Promise.all([this.watched.close(), this.flows.close()]);
  }

  private ids(n: number): string[] {
    return Array.from({ length: n }, () => `scale-${process.pid}-${(this.counter += 1)}`);
  }

  private readonly cpu = (): number => this.worker!.cpuMs();
}
