/**
 * kombu's Redis envelope: the JSON document stored in a queue list. It wraps the message as
 * `{"body": base64, "content-encoding", "content-type", "headers", "properties": {…,
 * "delivery_info": {"exchange": "", "routing_key": queue}, "priority", "body_encoding": "base64",
 * "delivery_tag": uuid4}}` (wire README §6.1). This module builds envelopes, parses them back into
 * {@link WireMessage}s (reporting malformed ones with a reason) and marks them redelivered.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { MessageDecodeError } from '../../errors.js';
import type { WireMessage } from '../broker.js';
import { DEFAULT_MAX_HEADER_DEPTH, nestsDeeperThan } from '../../protocol/depth.js';
import { clampPriority } from './keys.js';
import { isPrototypeKey } from '../../protocol/safe-keys.js';

/**
 * celeriac's envelope property holding the absolute expiry (epoch ms) of a message published with
 * an `expiration` (kombu only carries `expiration`; the envelope has no publish time to count from).
 */
export const EXPIRES_AT_PROPERTY = 'celeriac_expires_at';

/** Properties that belong to the Redis transport, not to the message; not exposed to consumers. */
const TRANSPORT_PROPERTIES = new Set(['delivery_info', 'body_encoding', 'delivery_tag', EXPIRES_AT_PROPERTY]);

/**
 * Build the envelope JSON kombu would publish for `message` on `queue` (default exchange), with a
 * fresh uuid4 delivery tag. When the message has an `expiration` (ms), its absolute expiry is
 * recorded, counted from `startsAt` (the publish time, or the time a delayed message becomes due).
 */
export function buildEnvelope(queue: string, priority: unknown, message: WireMessage, startsAt = Date.now()): string {
  const properties: Record<string, unknown> = {};
  const given = message.properties;
  for (const key in given) {
    if (Object.hasOwn(given, key) && key !== 'priority' && !TRANSPORT_PROPERTIES.has(key) && !isPrototypeKey(key)) properties[key] = given[key];
  }
  const expirationMs = parseExpiration(message.properties['expiration']);
  if (expirationMs !== undefined) properties[EXPIRES_AT_PROPERTY] = startsAt + expirationMs;
  properties['delivery_info'] = { exchange: '', routing_key: queue };
  properties['priority'] = clampPriority(priority ?? message.properties['priority']);
  properties['body_encoding'] = 'base64';
  properties['delivery_tag'] = randomUUID();
  const envelope = {
    body: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('base64'),
    'content-encoding': message.contentEncoding,
    'content-type': message.contentType,
    headers: message.headers,
    properties,
  };
  return JSON.stringify(envelope);
}

/** A list entry turned back into a message. */
export interface ParsedEnvelope {
  readonly message: WireMessage;
  /** True when kombu or celeriac marked it redelivered (restored or requeued). */
  readonly redelivered: boolean;
  /** The envelope's priority property (0 when absent). */
  readonly priority: number;
  /** When the message expires (epoch ms), for messages published by celeriac with an `expiration`. */
  readonly expiresAt: number | undefined;
}

/** An `expiration` property (ms, a string on the wire) as a number, or undefined when unset or invalid. */
function parseExpiration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Bytes a padded base64 text of `text.length` characters decodes to, when every character is valid. */
function expectedBase64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Parse a raw list entry. Throws a {@link MessageDecodeError} whose `reason` says what is wrong:
 * `envelope-not-json`, `envelope-not-object`, `missing-headers`, `headers-too-deep`, `missing-content-type`, `bad-body`,
 * `unsupported-body-encoding` or `bad-base64`.
 */
export function parseEnvelope(raw: string, maxHeaderDepth = DEFAULT_MAX_HEADER_DEPTH): ParsedEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new MessageDecodeError('envelope-not-json', `Queue entry is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new MessageDecodeError('envelope-not-object', 'Queue entry is not a JSON object');
  const headers = parsed['headers'];
  if (!isRecord(headers)) throw new MessageDecodeError('missing-headers', 'Queue entry has no headers object');
  if (nestsDeeperThan(headers, maxHeaderDepth)) {
    throw new MessageDecodeError('headers-too-deep', `Queue entry headers are nested deeper than ${maxHeaderDepth} levels`);
  }
  const contentType = parsed['content-type'];
  if (typeof contentType !== 'string') throw new MessageDecodeError('missing-content-type', 'Queue entry has no content-type');
  const contentEncoding = parsed['content-encoding'];
  const rawProperties = isRecord(parsed['properties']) ? parsed['properties'] : {};
  const body = decodeBody(parsed['body'], rawProperties['body_encoding']);
  const properties: Record<string, unknown> = {};
  for (const key in rawProperties) {
    if (Object.hasOwn(rawProperties, key) && !TRANSPORT_PROPERTIES.has(key) && !isPrototypeKey(key)) properties[key] = rawProperties[key];
  }
  const deliveryInfo = rawProperties['delivery_info'];
  const redelivered =
    headers['redelivered'] === true || (isRecord(deliveryInfo) && deliveryInfo['redelivered'] === true);
  return {
    message: {
      body,
      contentType,
      contentEncoding: typeof contentEncoding === 'string' ? contentEncoding : 'utf-8',
      headers,
      properties,
    },
    redelivered,
    priority: clampPriority(rawProperties['priority']),
    expiresAt: typeof rawProperties[EXPIRES_AT_PROPERTY] === 'number' ? rawProperties[EXPIRES_AT_PROPERTY] : undefined,
  };
}

function decodeBody(body: unknown, bodyEncoding: unknown): Uint8Array {
  if (typeof body !== 'string') throw new MessageDecodeError('bad-body', 'Queue entry body is not a string');
  if (bodyEncoding === undefined || bodyEncoding === null) return new Uint8Array(Buffer.from(body, 'utf8'));
  if (bodyEncoding !== 'base64') {
    throw new MessageDecodeError('unsupported-body-encoding', `Unsupported body_encoding: ${String(bodyEncoding)}`);
  }
  // Node's decoder skips characters outside the alphabet instead of failing, so a body with any
  // of them decodes short: comparing lengths validates without a regex pass over the whole body.
  const bytes = body.length % 4 === 0 ? Buffer.from(body, 'base64') : undefined;
  if (!bytes || bytes.byteLength !== expectedBase64Bytes(body)) {
    throw new MessageDecodeError('bad-base64', 'Queue entry body is not valid base64');
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The envelope with `headers.redelivered` and `properties.delivery_info.redelivered` set, as kombu
 * does when it restores a message. An entry that does not parse is returned unchanged.
 */
export function markRedelivered(raw: string): string {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) return raw;
    const headers = parsed['headers'];
    if (isRecord(headers)) headers['redelivered'] = true;
    const properties = parsed['properties'];
    if (isRecord(properties) && isRecord(properties['delivery_info'])) properties['delivery_info']['redelivered'] = true;
    return JSON.stringify(parsed);
  } catch {
    // Not JSON, or too deep to write back (JSON.stringify recurses): moved back unmarked, never stuck.
    return raw;
  }
}

/** The priority property of a raw envelope (0 when absent or unparsable). */
export function envelopePriority(raw: string): number {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) && isRecord(parsed['properties']) ? clampPriority(parsed['properties']['priority']) : 0;
  } catch {
    return 0;
  }
}

/** A kombu `unacked` hash value: `[envelope, exchange, routing_key]`. */
export interface UnackedEntry {
  readonly envelope: string;
  readonly exchange: string;
  readonly routingKey: string;
}

/** Parse an `unacked` hash value (`undefined` when it is not kombu's shape). */
export function parseUnackedEntry(value: string): UnackedEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length < 3) return undefined;
  const [envelope, exchange, routingKey] = parsed as [unknown, unknown, unknown];
  if (typeof exchange !== 'string' || typeof routingKey !== 'string') return undefined;
  const envelopeText = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  return { envelope: envelopeText, exchange, routingKey };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
