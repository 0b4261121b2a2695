/**
 * The RabbitMQ ceiling: amqplib publishing persistent messages on a confirm channel and consuming
 * them with manual acks (prefetch = the workers' 50 × 4), no task semantics. W1 only.
 * @module
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AMQP_URL, queueName, WORKER } from '../lib/config.js';
import { cpuPerTask, markCpu, selfCpuMs } from '../lib/cpu.js';
import { rawPayload } from '../lib/payload.js';
import { rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';

/** Raw amqplib on RabbitMQ; see the module documentation. */
export class RawAmqpSystem implements BenchSystem {
  readonly id = 'raw';
  readonly transport = 'amqp';
  readonly label = 'raw amqplib confirm/consume (transport only)';
  readonly workloads: readonly WorkloadId[] = ['W1'];
  private readonly queue = queueName('raw', 'w1');
  private readonly payload = Buffer.from(rawPayload());
  private connection: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    if (workload !== 'W1') return {};
    const connection = (this.connection ??= await connect(AMQP_URL));
    const publisher = (this.publisher ??= await connection.createConfirmChannel());
    await publisher.assertQueue(this.queue, { durable: true });
    await publisher.purgeQueue(this.queue);
    const n = sizes.n;
    let t0 = performance.now();
    await this.publish(publisher, n);
    const enqueueMs = performance.now() - t0;
    t0 = performance.now();
    await this.consume(connection, n);
    const drainMs = performance.now() - t0;
    const mark = markCpu('amqp', selfCpuMs, undefined);
    t0 = performance.now();
    await Promise.all([this.consume(connection, n), this.publish(publisher, n)]);
    const e2eMs = performance.now() - t0;
    const cpu = cpuPerTask('amqp', mark, n, selfCpuMs, undefined);
    return { enqueue_rate: rate(n, enqueueMs), drain_rate: rate(n, drainMs), e2e_rate: rate(n, e2eMs), ...cpu };
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    await this.publisher?.deleteQueue(this.queue).catch(() => undefined);
    await this.connection.close();
  }

  /** Publish `n` persistent messages, respecting back-pressure, then wait for every confirm. */
  private async publish(channel: ConfirmChannel, n: number): Promise<void> {
    for (let i = 0; i < n; i += 1) {
      const flowing = channel.sendToQueue(this.queue, this.payload, { persistent: true, contentType: 'application/json' });
      if (!flowing) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
  }

  /** Consume and ack `n` messages on a fresh channel. */
  private async consume(connection: ChannelModel, n: number): Promise<void> {
    const channel = await connection.createChannel();
    await channel.prefetch(WORKER.nodeConcurrency * WORKER.prefetchMultiplier);
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      channel
        .consume(this.queue, (message) => {
          if (!message) return;
          channel.ack(message);
          received += 1;
          if (received === n) resolve();
        })
        .catch(reject);
    });
    await channel.close();
  }
}
