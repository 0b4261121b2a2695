/**
 * The dead-letter lists of the Redis broker (`<queue>.celeriac.dead`, JSON records
 * `{reason, queue, at, raw, truncated?}`, newest last, capped by `deadLetterMaxCount` and
 * `deadLetterMaxBytes`): reading, replaying (each record moved back to its queue atomically by
 * `lua/replay.lua`, marked redelivered) and purging.
 * @module
 */
import type { DeadLetter } from '../broker.js';
import { retryUntil } from '../../redis/connection.js';
import type { BrokerCore } from './core.js';
import type { DeadLetterRecord } from './delivery.js';
import { envelopePriority } from './envelope.js';

function parseRecord(entry: string, queue: string): DeadLetter {
  try {
    const record = JSON.parse(entry) as Partial<DeadLetterRecord>;
    return {
      queue: typeof record.queue === 'string' ? record.queue : queue,
      reason: typeof record.reason === 'string' ? record.reason : 'unknown',
      raw: typeof record.raw === 'string' ? record.raw : entry,
      ...(record.truncated === true ? { truncated: true } : {}),
    };
  } catch {
    return { queue, reason: 'unknown', raw: entry };
  }
}

async function entries(core: BrokerCore, queue: string): Promise<string[]> {
  return retryUntil(core.deadline(), 'deadLetters', () => core.client().lrange(core.keys.deadLetters(queue), 0, -1));
}

/** Every dead letter of `queue`, oldest first. */
export async function readRedisDeadLetters(core: BrokerCore, queue: string): Promise<DeadLetter[]> {
  return (await entries(core, queue)).map((entry) => parseRecord(entry, queue));
}

/** Moves up to `limit` replayable dead letters of `queue` back onto it, oldest first; returns how many. */
export async function replayRedisDeadLetters(core: BrokerCore, queue: string, limit = Number.POSITIVE_INFINITY): Promise<number> {
  let moved = 0;
  for (const entry of await entries(core, queue)) {
    if (moved >= limit) break;
    const letter = parseRecord(entry, queue);
    if (letter.truncated || letter.raw === entry) continue; // cut, or not a record: nothing to replay
    const destination = core.keys.queueList(queue, envelopePriority(letter.raw));
    const reply = await retryUntil(core.deadline(), 'replayDeadLetters', () =>
      core.script('replay', [core.keys.deadLetters(queue), destination], [entry, letter.raw]),
    );
    if (reply === 1) moved += 1;
  }
  return moved;
}

/** Deletes the dead-letter list of `queue`; returns how many letters it held. */
export async function purgeRedisDeadLetters(core: BrokerCore, queue: string): Promise<number> {
  const key = core.keys.deadLetters(queue);
  const results = await retryUntil(core.deadline(), 'purgeDeadLetters', () => core.client().multi().llen(key).del(key).exec());
  return Number(results?.[0]?.[1] ?? 0);
}
