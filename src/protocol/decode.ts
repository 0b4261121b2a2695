/**
 * Wire → task message: checks size and content type, decompresses, deserializes and validates a
 * Celery protocol v2 message. Every failure is a {@link MessageDecodeError} whose `reason` the
 * worker uses to dead-letter the message. Pure; no I/O. See shared/celery-wire/README.md §1.
 * @module
 */
import { MessageDecodeError } from '../errors.js';
import { decompressBody } from './compression.js';
import { completeTaskHeaders, type EncodedMessage, type PartialTaskHeaders } from './encode.js';
import { type Embed, emptyEmbed, type SignatureDict, type TaskHeaders, type TaskMessage, type TaskProperties } from './message.js';
import { serializerForContentType } from './serializer.js';
import { parseIsoTime } from './times.js';

/** The default of {@link DecodeLimits.maxBodyBytes}: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Limits of {@link decodeTaskMessage}. */
export interface DecodeLimits {
  /**
   * The largest body accepted, in bytes, both as received and after decompression.
   * Default {@link DEFAULT_MAX_BODY_BYTES} (64 MiB).
   */
  maxBodyBytes?: number;
}

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

const fail = (reason: string, message: string): never => {
  throw new MessageDecodeError(reason, message);
};

/** A signature dict inside the embed: an object with a string `task`. Its other keys are the canvas layer's business. */
function readSignature(value: unknown, where: string): SignatureDict {
  if (!isPlainObject(value) || typeof value['task'] !== 'string') return fail('bad-body', `${where} is not a signature dict`);
  return value as unknown as SignatureDict;
}

function readSignatureList(value: unknown, where: string): SignatureDict[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return fail('bad-body', `embed.${where} must be a list or null`);
  return value.map((item, index) => readSignature(item, `embed.${where}[${index}]`));
}

/** The third body element; a missing or null embed is read as all-null (lenient, as README §1.3 allows). */
function readEmbed(value: unknown): Embed {
  if (value === null || value === undefined) return emptyEmbed();
  if (!isPlainObject(value)) return fail('bad-body', 'The body embed must be an object');
  return {
    callbacks: readSignatureList(value['callbacks'], 'callbacks'),
    errbacks: readSignatureList(value['errbacks'], 'errbacks'),
    chain: readSignatureList(value['chain'], 'chain'),
    chord: value['chord'] === null || value['chord'] === undefined ? null : readSignature(value['chord'], 'embed.chord'),
  };
}

function readBody(decoded: unknown): { args: unknown[]; kwargs: PlainObject; embed: Embed } {
  if (!Array.isArray(decoded) || decoded.length < 2 || decoded.length > 3) {
    return fail('bad-body', 'The body must be the list [args, kwargs, embed]');
  }
  const [args, kwargs, embed] = decoded as [unknown, unknown, unknown];
  if (!Array.isArray(args)) return fail('bad-body', 'The body args must be a list');
  if (!isPlainObject(kwargs)) return fail('bad-body', 'The body kwargs must be an object');
  return { args, kwargs, embed: readEmbed(embed) };
}

/** Known headers and the check their value must pass when present (not null/undefined). */
const HEADER_CHECKS: Record<string, [string, (value: unknown) => boolean]> = {
  lang: ['a string', (v) => typeof v === 'string'],
  shadow: ['a string', (v) => typeof v === 'string'],
  eta: ['an ISO-8601 time', isIsoTime],
  expires: ['an ISO-8601 time', isIsoTime],
  group: ['a string', (v) => typeof v === 'string'],
  group_index: ['an integer', Number.isInteger],
  retries: ['a non-negative integer', (v) => Number.isInteger(v) && (v as number) >= 0],
  timelimit: ['[hard, soft] (numbers or nulls)', isTimeLimit],
  root_id: ['a string', (v) => typeof v === 'string'],
  parent_id: ['a string', (v) => typeof v === 'string'],
  argsrepr: ['a string', (v) => typeof v === 'string'],
  kwargsrepr: ['a string', (v) => typeof v === 'string'],
  origin: ['a string', (v) => typeof v === 'string'],
  ignore_result: ['a boolean', (v) => typeof v === 'boolean'],
};

function isIsoTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parseIsoTime(value);
    return true;
  } catch {
    return false;
  }
}

function isTimeLimit(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && value.every((limit) => limit === null || (typeof limit === 'number' && Number.isFinite(limit)));
}

const HEADER_CHECK_LIST = Object.entries(HEADER_CHECKS);

/** Check the headers (task and id required; known headers typed) and fill the absent ones. */
function readHeaders(raw: PlainObject, args: unknown[], kwargs: PlainObject): TaskHeaders {
  for (const [name, [expected, check]] of HEADER_CHECK_LIST) {
    const value = raw[name];
    if (value !== null && value !== undefined && !check(value)) {
      fail('bad-header', `Header ${name} must be ${expected}, got ${JSON.stringify(value)}`);
    }
  }
  return completeTaskHeaders(raw as PartialTaskHeaders, args, kwargs);
}

/** Properties as received (unknown ones kept), with Celery's values for missing required ones. */
function readProperties(raw: unknown, taskId: string): TaskProperties {
  const properties: PlainObject = isPlainObject(raw) ? { ...raw } : {};
  if (typeof properties['correlation_id'] !== 'string') properties['correlation_id'] = taskId;
  if (typeof properties['reply_to'] !== 'string') properties['reply_to'] = '';
  if (typeof properties['delivery_mode'] !== 'number') properties['delivery_mode'] = 2;
  return properties as TaskProperties;
}

/**
 * Decode a protocol-v2 task message.
 *
 * Order of checks, and the {@link MessageDecodeError} `reason` of each:
 * `body-too-large` (body above `maxBodyBytes`, before or after decompression) →
 * `unsupported-content-type` (not JSON or msgpack) →
 * `missing-header` (no string `task` or `id` header: protocol 1 is not supported) →
 * `unsupported-compression` / `bad-compression` (the `compression` header) →
 * `bad-encoding` (JSON not UTF-8) / `bad-json` / `bad-msgpack` →
 * `bad-body` (not `[args, kwargs, embed?]` with a list, an object, and signature dicts in the embed) →
 * `bad-header` (a known header of the wrong type, or an `eta`/`expires` that is not an ISO time).
 *
 * Absent optional headers get Celery's defaults (see `completeTaskHeaders`); unknown headers and
 * properties are kept. The `compression` header is removed: the result describes the plain body.
 */
export function decodeTaskMessage(wire: EncodedMessage, limits: DecodeLimits = {}): TaskMessage {
  const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (wire.body.byteLength > maxBodyBytes) {
    fail('body-too-large', `The body is ${wire.body.byteLength} bytes; the limit is ${maxBodyBytes}`);
  }
  const serializer = serializerForContentType(typeof wire.contentType === 'string' ? wire.contentType : '');
  const { compression, ...rawHeaders } = isPlainObject(wire.headers) ? wire.headers : {};
  for (const name of ['task', 'id']) {
    const value = rawHeaders[name];
    if (typeof value !== 'string' || value === '') {
      fail('missing-header', `Header ${name} is missing: not a protocol-v2 task message (protocol 1 is not supported)`);
    }
  }
  let body = wire.body;
  if (compression !== undefined && compression !== null) {
    if (typeof compression !== 'string') fail('unsupported-compression', `Unsupported compression: ${JSON.stringify(compression)}`);
    body = decompressBody(body, compression as string, maxBodyBytes);
  }
  const { args, kwargs, embed } = readBody(serializer.decode(body));
  const headers = readHeaders(rawHeaders, args, kwargs);
  return { headers, properties: readProperties(wire.properties, headers.id), args, kwargs, embed };
}
