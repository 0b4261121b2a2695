/**
 * {@link WireMessage} ⇄ AMQP basic properties + body, as kombu/py-amqp lay them out (README §7):
 * `content_type`, `content_encoding`, `application_headers` (= the task headers), `delivery_mode`
 * (2, persistent, unless the message says otherwise), `priority` (left out when 0), `correlation_id`,
 * `reply_to`, `expiration` (ms, as a string). The body is the raw serialized bytes.
 * Property keys with no AMQP equivalent (kombu's Redis-only `body_encoding`, `delivery_info`, …)
 * are not sent, as py-amqp does.
 * @module
 */
import type { Message, Options } from 'amqplib';
import { MessageDecodeError } from '../../errors.js';
import type { WireMessage } from '../broker.js';
import { decodeHeaders, encodeHeaders } from './field-table.js';
import { BAD_HEADERS_MARKER } from './header-guard.js';
import { TRANSPORT_HEADERS } from './names.js';

/** Celery's snake_case property names mapped to amqplib's. */
const STRING_PROPERTIES = [
  ['correlation_id', 'correlationId'],
  ['reply_to', 'replyTo'],
  ['message_id', 'messageId'],
  ['type', 'type'],
  ['user_id', 'userId'],
  ['app_id', 'appId'],
] as const;

/** What to change relative to the message when publishing it. */
export interface PublishOverrides {
  /** Wins over `properties.priority` (0 or undefined leaves the property out). */
  priority?: number | undefined;
  /** Extra headers merged over the message headers (e.g. the dead-letter reason). */
  extraHeaders?: Record<string, unknown>;
  /** Leave out the `expiration` property (messages parked in delay queues must not expire there). */
  dropExpiration?: boolean;
}

function integerProperty(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** The amqplib publish options (properties + headers) for a message. */
export function toPublishOptions(message: WireMessage, overrides: PublishOverrides = {}): Options.Publish {
  const props = message.properties;
  const options: Options.Publish = {
    contentType: message.contentType || undefined,
    contentEncoding: message.contentEncoding || undefined,
    headers: encodeHeaders({ ...message.headers, ...overrides.extraHeaders }),
    deliveryMode: integerProperty(props['delivery_mode']) === 1 ? 1 : 2,
    mandatory: true,
  };
  for (const [snake, camel] of STRING_PROPERTIES) {
    const value = props[snake];
    if (value !== undefined && value !== null) options[camel] = String(value);
  }
  const priority = overrides.priority ?? integerProperty(props['priority']);
  if (priority !== undefined && priority !== 0) options.priority = priority;
  const expiration = props['expiration'];
  if (!overrides.dropExpiration && expiration !== undefined && expiration !== null) {
    options.expiration = String(expiration);
  }
  const timestamp = integerProperty(props['timestamp']);
  if (timestamp !== undefined) options.timestamp = timestamp;
  return options;
}

/** The body as a Buffer sharing the message's memory. */
export function bodyBuffer(message: WireMessage): Buffer {
  const body = message.body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Headers of a received message, decoded, with RabbitMQ's and celeriac's transport headers split off. */
export function splitHeaders(raw: Message, maxDepth?: number): { headers: Record<string, unknown>; transport: Record<string, unknown> } {
  const all = decodeHeaders((raw.properties.headers ?? {}) as Record<string, unknown>, maxDepth);
  const transport: Record<string, unknown> = {};
  for (const name of [...TRANSPORT_HEADERS, BAD_HEADERS_MARKER]) {
    if (Object.hasOwn(all, name)) {
      transport[name] = all[name];
      delete all[name];
    }
  }
  return { headers: all, transport };
}

/**
 * Turns a received AMQP message into a {@link WireMessage}.
 * Throws {@link MessageDecodeError} when it lacks what every Celery message has (a content type).
 */
export function fromAmqpMessage(raw: Message, headers: Record<string, unknown>): WireMessage {
  const p = raw.properties;
  if (typeof p.contentType !== 'string' || p.contentType === '') {
    throw new MessageDecodeError('missing-content-type', 'AMQP message has no content_type property');
  }
  const properties: Record<string, unknown> = {};
  for (const [snake, camel] of STRING_PROPERTIES) {
    if (p[camel] !== undefined && p[camel] !== null) properties[snake] = p[camel];
  }
  if (p.deliveryMode !== undefined) properties['delivery_mode'] = p.deliveryMode;
  if (p.priority !== undefined) properties['priority'] = p.priority;
  if (p.expiration !== undefined) properties['expiration'] = p.expiration;
  if (p.timestamp !== undefined) properties['timestamp'] = p.timestamp;
  const defaultEncoding = p.contentType === 'application/json' ? 'utf-8' : 'binary';
  return {
    body: new Uint8Array(raw.content.buffer, raw.content.byteOffset, raw.content.byteLength),
    contentType: p.contentType,
    contentEncoding: typeof p.contentEncoding === 'string' ? p.contentEncoding : defaultEncoding,
    headers,
    properties,
  };
}

/**
 * A best-effort {@link WireMessage} for a message that {@link fromAmqpMessage} refused, so that it
 * can still be dead-lettered with everything it carried (an empty content type stays unset).
 */
export function salvageAmqpMessage(raw: Message, headers: Record<string, unknown>): WireMessage {
  const p = raw.properties;
  const contentType = typeof p.contentType === 'string' ? p.contentType : '';
  const contentEncoding = typeof p.contentEncoding === 'string' ? p.contentEncoding : '';
  return { ...fromAmqpMessage({ ...raw, properties: { ...p, contentType: '?' } }, headers), contentType, contentEncoding };
}
