/**
 * Reading a dead-letter queue without consuming it: every message is fetched with `basic.get`
 * (unacknowledged) and all of them are handed back with `basic.nack(requeue)` in one go, which puts
 * them back where they were; a read returns only once they are back. A consumer on the dead-letter queue at the same time could race this.
 * @module
 */
import type { Channel } from 'amqplib';
import { TransportError } from '../../errors.js';
import type { DeadLetter } from '../broker.js';
import { decodeHeaders } from './field-table.js';
import { DEAD_AT_HEADER, DEAD_QUEUE_HEADER, DEAD_REASON_HEADER, deadQueueName } from './names.js';
import { salvageAmqpMessage } from './message-codec.js';
import type { AmqpRouter } from './router.js';
import type { AmqpTopology } from './topology.js';

const NOT_FOUND = 404;
/** How long a read waits for the letters it handed back to be ready again. */
const REQUEUE_WAIT_MS = 5_000;

/**
 * A dead letter as a kombu-style envelope string (the layout the Redis transport stores):
 * `{"body": <base64>, "content-encoding", "content-type", "headers", "properties": {…, "body_encoding": "base64"}}`.
 */
function envelope(content: Buffer, properties: Record<string, unknown>, headers: Record<string, unknown>, queue: string): string {
  const props: Record<string, unknown> = { body_encoding: 'base64', delivery_info: { exchange: '', routing_key: queue } };
  const names: Array<[string, string]> = [['correlationId', 'correlation_id'], ['replyTo', 'reply_to'], ['deliveryMode', 'delivery_mode'], ['priority', 'priority'], ['messageId', 'message_id'], ['timestamp', 'timestamp'], ['type', 'type'], ['appId', 'app_id']];
  for (const [camel, snake] of names) if (properties[camel] !== undefined) props[snake] = properties[camel];
  return JSON.stringify({
    body: content.toString('base64'),
    'content-encoding': properties['contentEncoding'] ?? null,
    'content-type': properties['contentType'] ?? null,
    headers,
    properties: props,
  });
}

/**
 * Waits until the queue counts at least `count` ready messages again: RabbitMQ applies a requeue
 * asynchronously (even a call on the same channel can be answered first), and a read started
 * before the letters are back would miss them.
 */
async function requeued(channel: Channel, name: string, count: number): Promise<void> {
  const deadline = Date.now() + REQUEUE_WAIT_MS;
  while ((await channel.checkQueue(name)).messageCount < count && Date.now() < deadline) {
    await new Promise((resume) => setTimeout(resume, 5));
  }
}

/** All dead letters of `queue`, oldest first (newest last). Leaves them in place. */
export async function readDeadLetters(topology: AmqpTopology, queue: string): Promise<DeadLetter[]> {
  const name = deadQueueName(queue);
  try {
    return await topology.withChannel(async (channel) => {
      const { messageCount } = await channel.checkQueue(name);
      const letters: DeadLetter[] = [];
      for (let i = 0; i < messageCount; i++) {
        const message = await channel.get(name, { noAck: false });
        if (message === false) break;
        const headers = decodeHeaders((message.properties.headers ?? {}) as Record<string, unknown>);
        const reason = headers[DEAD_REASON_HEADER];
        const origin = headers[DEAD_QUEUE_HEADER];
        delete headers[DEAD_REASON_HEADER];
        delete headers[DEAD_QUEUE_HEADER];
        delete headers[DEAD_AT_HEADER];
        letters.push({
          queue: typeof origin === 'string' ? origin : queue,
          reason: typeof reason === 'string' ? reason : '',
          raw: envelope(message.content, message.properties as unknown as Record<string, unknown>, headers, queue),
        });
      }
      channel.nackAll(true);
      await requeued(channel, name, letters.length);
      return letters;
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_FOUND) return [];
    if (error instanceof TransportError) throw error;
    throw new TransportError(`Cannot read the dead letters of queue "${queue}": ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Moves up to `limit` dead letters of `queue` back onto it, oldest first: each is republished
 * (confirmed, without the dead-letter headers) before it is acknowledged in the dead-letter queue,
 * so a failure leaves it where it was. Returns how many were replayed.
 */
export async function replayAmqpDeadLetters(topology: AmqpTopology, router: AmqpRouter, queue: string, limit = Number.POSITIVE_INFINITY): Promise<number> {
  const name = deadQueueName(queue);
  try {
    return await topology.withChannel(async (channel) => {
      // Only the letters there now: one replayed and dead-lettered again must not come round again.
      const { messageCount } = await channel.checkQueue(name);
      const wanted = Math.min(limit, messageCount);
      let moved = 0;
      while (moved < wanted) {
        const raw = await channel.get(name, { noAck: false });
        if (raw === false) break;
        const headers = decodeHeaders((raw.properties.headers ?? {}) as Record<string, unknown>);
        for (const header of [DEAD_REASON_HEADER, DEAD_QUEUE_HEADER, DEAD_AT_HEADER]) delete headers[header];
        try {
          await router.publish({ queue }, salvageAmqpMessage(raw, headers));
        } catch (error) {
          channel.nack(raw, false, true);
          throw error;
        }
        channel.ack(raw);
        moved += 1;
      }
      return moved;
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_FOUND) return 0;
    if (error instanceof TransportError) throw error;
    throw new TransportError(`Cannot replay the dead letters of queue "${queue}": ${(error as Error).message}`, { cause: error });
  }
}

/** Purges the dead-letter queue of `queue`; returns how many letters it held. */
export async function purgeAmqpDeadLetters(topology: AmqpTopology, queue: string): Promise<number> {
  try {
    return await topology.withChannel(async (channel) => (await channel.purgeQueue(deadQueueName(queue))).messageCount);
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_FOUND) return 0;
    throw new TransportError(`Cannot purge the dead letters of queue "${queue}": ${(error as Error).message}`, { cause: error });
  }
}
