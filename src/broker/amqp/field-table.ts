/**
 * Header values in and out of AMQP field tables, typed the way py-amqp (Celery's client) reads them.
 *
 * amqplib picks the smallest integer type for a JS number (`b` int8, `s` int16). py-amqp reads `s`
 * as a short *string* and `b` as unsigned, so Celery workers choke on e.g. `retries: 200` or
 * `timelimit: [3600, 3000]`. Outgoing values are therefore tagged explicitly, as py-amqp itself does:
 * integers as `I` (int32) or `l` (int64) beyond that range, non-integers as `d` (double), `undefined`
 * as `V` (null, so Python still sees the key). See celery-wire README §7.
 * @module
 */
import { MessageDecodeError, TransportError } from '../../errors.js';
import { DEFAULT_MAX_HEADER_DEPTH } from '../../protocol/depth.js';
import { isPrototypeKey } from '../../protocol/safe-keys.js';

/** A value in amqplib's field-table notation (`{'!': type, value}` forces the type tag). */
export type AmqpFieldValue =
  | string
  | boolean
  | null
  | Buffer
  | { readonly '!': 'int32' | 'int64' | 'double'; readonly value: number | bigint }
  | AmqpFieldValue[]
  | { [key: string]: AmqpFieldValue };

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function encodeNumber(value: number): AmqpFieldValue {
  if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return { '!': 'int32', value };
  if (Number.isSafeInteger(value)) return { '!': 'int64', value };
  return { '!': 'double', value };
}

function encodeValue(value: unknown, path: string): AmqpFieldValue {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new TransportError(`Header ${path}: ${value} does not fit an AMQP int64`);
      }
      return { '!': 'int64', value };
    case 'object':
      break;
    default:
      throw new TransportError(`Header ${path}: a ${typeof value} cannot be sent in AMQP headers`);
  }
  if (Array.isArray(value)) return value.map((item, index) => encodeValue(item, `${path}[${index}]`));
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Date) return value.toISOString();
  return encodeTable(value as Record<string, unknown>, path);
}

function encodeTable(table: Record<string, unknown>, path: string): { [key: string]: AmqpFieldValue } {
  if (Object.hasOwn(table, '!')) {
    // amqplib would read such an object as a type annotation and send something else.
    throw new TransportError(`Header ${path}: a key named '!' cannot be sent through amqplib`);
  }
  const out: { [key: string]: AmqpFieldValue } = {};
  for (const [key, item] of Object.entries(table)) {
    if (isPrototypeKey(key)) continue;
    if (Buffer.byteLength(key) > 255) throw new TransportError(`Header ${path}.${key.slice(0, 20)}…: key longer than 255 bytes`);
    out[key] = encodeValue(item, path === '' ? key : `${path}.${key}`);
  }
  return out;
}

/** Encodes message headers for amqplib with py-amqp-compatible type tags (see the module doc). */
export function encodeHeaders(headers: Readonly<Record<string, unknown>>): Record<string, AmqpFieldValue> {
  return encodeTable(headers, '');
}


function decodeValue(value: unknown, depth: number, maxDepth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (depth > maxDepth) throw new MessageDecodeError('headers-too-deep', `Headers are nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((item) => decodeValue(item, depth + 1, maxDepth));
  const record = value as Record<string, unknown>;
  const typed = record['!'];
  if (typed === 'timestamp') return record['value'];
  if (typed === 'decimal') {
    const decimal = record['value'] as { places: number; digits: number };
    return decimal.digits / 10 ** decimal.places;
  }
  return decodeTable(record, depth, maxDepth);
}

function decodeTable(table: Readonly<Record<string, unknown>>, depth: number, maxDepth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table)) {
    if (!isPrototypeKey(key)) out[key] = decodeValue(value, depth + 1, maxDepth);
  }
  return out;
}

/**
 * Turns headers decoded by amqplib into plain values: timestamps (`T`) become epoch seconds,
 * decimals (`D`) numbers, byte arrays (`x`) `Uint8Array`s. Everything else is already plain.
 * Throws {@link MessageDecodeError} (`headers-too-deep`) when tables/arrays nest deeper than `maxDepth`.
 */
export function decodeHeaders(headers: Readonly<Record<string, unknown>>, maxDepth = DEFAULT_MAX_HEADER_DEPTH): Record<string, unknown> {
  return decodeTable(headers, 0, maxDepth);
}
