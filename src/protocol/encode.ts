/**
 * Task message → wire: Celery protocol v2 headers, properties and the body `[args, kwargs, embed]`
 * serialized (and optionally compressed). Pure; no I/O. See shared/celery-wire/README.md §1.
 * @module
 */
import { type CompressionName, compressBody } from './compression.js';
import type { Embed, TaskHeaders, TaskMessage, TaskProperties } from './message.js';
import { argsRepr, kwargsRepr } from './pyrepr.js';
import type { Serializer } from './serializer.js';
import { isPrototypeKey } from './safe-keys.js';

/**
 * A message as brokers carry it: the serialized (and possibly compressed) body bytes, its content
 * type and encoding, headers and properties. Defined here, once; the broker contract uses it as its
 * `WireMessage`.
 */
export interface EncodedMessage {
  /** The serialized (and possibly compressed) body. Raw bytes, not base64. */
  body: Uint8Array;
  /** e.g. `application/json`, `application/x-msgpack`. */
  contentType: string;
  /** e.g. `utf-8`, `binary`. */
  contentEncoding: string;
  /** Message headers (the task headers for a task message). */
  headers: Record<string, unknown>;
  /**
   * Message properties: `correlation_id`, `reply_to`, `delivery_mode`, `priority`, `expiration`.
   * Unknown keys are carried through.
   */
  properties: Record<string, unknown>;
}

/** Options of {@link encodeTaskMessage}. */
export interface EncodeOptions {
  /**
   * Compress the body and say so in the `compression` header. Default: none.
   * `gzip` is kombu's `application/x-gzip` (zlib), which every Python worker reads; `brotli` needs
   * the `brotli` package on Python peers.
   */
  compression?: CompressionName;
}

/** A header that can be absent from a message we complete (everything but `task` and `id`). */
export type PartialTaskHeaders = Pick<TaskHeaders, 'task' | 'id'> & Partial<TaskHeaders> & Record<string, unknown>;

/**
 * Every protocol-v2 header, in Celery's order, with Celery's defaults for those that are absent
 * (`undefined` or `null` where null is not allowed): `lang` `'py'`, `retries` 0, `timelimit`
 * `[null, null]`, `root_id` the task's own id, `argsrepr`/`kwargsrepr` computed from the body,
 * `origin` `''`, `ignore_result` false, the others null. Other headers are kept (undefined → null).
 */
export function completeTaskHeaders(headers: PartialTaskHeaders, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): TaskHeaders {
  const [hardLimit = null, softLimit = null] = headers.timelimit ?? [];
  const complete: TaskHeaders = {
    lang: headers.lang ?? 'py',
    task: headers.task,
    id: headers.id,
    shadow: headers.shadow ?? null,
    eta: headers.eta ?? null,
    expires: headers.expires ?? null,
    group: headers.group ?? null,
    group_index: headers.group_index ?? null,
    retries: headers.retries ?? 0,
    timelimit: [hardLimit, softLimit],
    // Celery: "empty root_id defaults to task_id".
    root_id: headers.root_id || headers.id,
    parent_id: headers.parent_id ?? null,
    argsrepr: headers.argsrepr ?? argsRepr(args),
    kwargsrepr: headers.kwargsrepr ?? kwargsRepr(kwargs),
    origin: headers.origin ?? '',
    ignore_result: headers.ignore_result ?? false,
  };
  // for…in with an own-key check: the same keys as Object.entries without an array per message.
  for (const key in headers) {
    if (!Object.hasOwn(headers, key) || key in complete || isPrototypeKey(key)) continue;
    const value = headers[key];
    complete[key] = value === undefined ? null : value;
  }
  return complete;
}

/** The embed with all four keys present (explicit nulls), in Celery's key order. */
function completeEmbed(embed: Partial<Embed> | null | undefined): Embed {
  return {
    callbacks: embed?.callbacks ?? null,
    errbacks: embed?.errbacks ?? null,
    chain: embed?.chain ?? null,
    chord: embed?.chord ?? null,
  };
}

/** The properties as given (undefined values dropped), with Celery's defaults for the required ones. */
function completeProperties(properties: Partial<TaskProperties>, taskId: string): Record<string, unknown> {
  const complete: Record<string, unknown> = { correlation_id: taskId, reply_to: '', delivery_mode: 2 };
  for (const key in properties) {
    if (!Object.hasOwn(properties, key) || isPrototypeKey(key)) continue;
    const value = (properties as Record<string, unknown>)[key];
    if (value !== undefined) complete[key] = value;
  }
  return complete;
}

/**
 * Encode a task message for a broker: body bytes = `serializer.encode([args, kwargs, embed])`,
 * content type and encoding from the serializer, every v2 header present (see
 * {@link completeTaskHeaders}), properties as given. A `compression` header in `message.headers`
 * is ignored: only `options.compression` decides whether the body is compressed.
 * @throws whatever the serializer throws for a value it cannot encode (e.g. a BigInt in JSON).
 */
export function encodeTaskMessage(message: TaskMessage, serializer: Serializer, options: EncodeOptions = {}): EncodedMessage {
  const headers: Record<string, unknown> = completeTaskHeaders(message.headers as PartialTaskHeaders, message.args, message.kwargs);
  if ('compression' in headers) delete headers['compression'];
  let body = serializer.encode([message.args, message.kwargs, completeEmbed(message.embed)]);
  if (options.compression) {
    const compressed = compressBody(body, options.compression);
    body = compressed.body;
    headers['compression'] = compressed.header;
  }
  return {
    body,
    contentType: serializer.contentType,
    contentEncoding: serializer.contentEncoding,
    headers,
    properties: completeProperties(message.properties, message.headers.id),
  };
}
