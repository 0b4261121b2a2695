/**
 * kombu's Redis message envelope for pidbox traffic: requests arrive as PUBLISHed envelopes, replies
 * are LPUSHed envelopes (see the vector `results_redis_json_revoke_and_control.json`):
 * `{"body": base64, "content-encoding", "content-type", "headers", "properties": {"delivery_mode",
 * "delivery_info": {"exchange", "routing_key"}, "priority", "body_encoding": "base64", "delivery_tag"}}`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { MessageDecodeError } from '../../errors.js';
import type { RawControlMessage } from './types.js';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse a published envelope. Throws {@link MessageDecodeError} (`bad-control-envelope`). */
export function parseControlEnvelope(raw: string): RawControlMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new MessageDecodeError('bad-control-envelope', 'The pidbox message is not JSON');
  }
  if (!isPlain(parsed)) throw new MessageDecodeError('bad-control-envelope', 'The pidbox message is not an object');
  const body = parsed['body'];
  const contentType = parsed['content-type'];
  if (typeof body !== 'string' || typeof contentType !== 'string') {
    throw new MessageDecodeError('bad-control-envelope', 'The pidbox message has no body or content-type');
  }
  const properties = isPlain(parsed['properties']) ? parsed['properties'] : {};
  const encoding = properties['body_encoding'];
  let bytes: Buffer;
  if (encoding === 'base64') {
    if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
      throw new MessageDecodeError('bad-control-envelope', 'The pidbox message body is not base64');
    }
    bytes = Buffer.from(body, 'base64');
  } else if (encoding === undefined || encoding === null) bytes = Buffer.from(body, 'utf8');
  else throw new MessageDecodeError('bad-control-envelope', `Unsupported body_encoding ${String(encoding)}`);
  const contentEncoding = parsed['content-encoding'];
  return {
    body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    contentType,
    contentEncoding: typeof contentEncoding === 'string' ? contentEncoding : 'utf-8',
    headers: isPlain(parsed['headers']) ? parsed['headers'] : {},
  };
}

/** The envelope kombu LPUSHes for a reply on the direct exchange `exchange` with `routingKey`. */
export function buildReplyEnvelope(message: RawControlMessage, exchange: string, routingKey: string): string {
  return JSON.stringify({
    body: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('base64'),
    'content-encoding': message.contentEncoding,
    'content-type': message.contentType,
    headers: message.headers,
    properties: {
      delivery_mode: 1,
      delivery_info: { exchange, routing_key: routingKey },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/** kombu's separator inside `_kombu.binding.*` members: `routing_key SEP pattern SEP queue`. */
export const BINDING_SEPARATOR = '\x06\x16';

/** The queues a direct exchange's binding members route `routingKey` to. */
export function directRoute(members: readonly string[], routingKey: string): string[] {
  const queues = new Set<string>();
  for (const member of members) {
    const [key, , queue] = member.split(BINDING_SEPARATOR);
    if (key === routingKey && queue) queues.add(queue);
  }
  return [...queues];
}
