/**
 * Encoding of what the Redis backend stores: task metas in the key order Python writes them,
 * saved groups, and chord parts. Reading detects JSON or msgpack from the first byte, so results
 * written by Python with either serializer read back whatever this backend writes with.
 * @module
 */
import { MessageDecodeError } from '../../errors.js';
import type { ResultTuple, TaskMeta } from '../../protocol/result-meta.js';
import { jsonSerializer, msgpackSerializer, type Serializer } from '../../protocol/serializer.js';
import type { ChordPart } from '../backend.js';
import { isPrototypeKey } from '../../protocol/safe-keys.js';

/** Keys in Celery's order (`_get_result_meta`, then `task_id` last); unknown keys go before `task_id`. */
const META_ORDER = ['status', 'result', 'traceback', 'children', 'date_done', 'group_id', 'parent_id'] as const;
const EXTENDED_ORDER = ['name', 'args', 'kwargs', 'worker', 'retries', 'queue'] as const;
const KNOWN = new Set<string>([...META_ORDER, ...EXTENDED_ORDER, 'task_id']);

/** Keys a stored meta always has, with the value written when the meta has none. */
const ALWAYS_PRESENT: Readonly<Record<string, () => unknown>> = { status: () => undefined, result: () => null, traceback: () => null, children: () => [], date_done: () => null };
const ORDER: readonly string[] = [...META_ORDER, ...EXTENDED_ORDER];

/** A meta with Celery's key order: status, result, traceback, children, date_done, group_id?, parent_id?, extended?, task_id. */
export function orderedMeta(meta: TaskMeta): Record<string, unknown> {
  const source = meta as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ORDER) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
    else if (Object.hasOwn(ALWAYS_PRESENT, key)) out[key] = ALWAYS_PRESENT[key]!();
  }
  for (const key in source) {
    if (!Object.hasOwn(source, key) || KNOWN.has(key) || isPrototypeKey(key)) continue;
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  out['task_id'] = meta.task_id;
  return out;
}

/**
 * Encode a value with `serializer` for ioredis: JSON as a string (ioredis writes a command whose
 * arguments are all strings as one string, without building a buffer per argument), msgpack as a
 * Buffer.
 */
export function encodeValue(serializer: Serializer, value: unknown): string | Buffer {
  if (serializer.name === 'json') return JSON.stringify(value);
  const bytes = serializer.encode(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decode stored bytes, JSON or msgpack (a JSON document starts with `{`, `[` or whitespace). */
export function decodeValue(bytes: Buffer): unknown {
  const first = bytes[0];
  const isJson = first === 0x7b || first === 0x5b || first === 0x20 || first === 0x0a || first === 0x0d || first === 0x09;
  return (isJson ? jsonSerializer : msgpackSerializer).decode(bytes);
}

/** Decode a stored meta. Throws a {@link MessageDecodeError} (`bad-meta`) when it is not a meta object. */
export function decodeMeta(bytes: Buffer, taskId: string): TaskMeta {
  const value = decodeValue(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as TaskMeta).status !== 'string') {
    throw new MessageDecodeError('bad-meta', `The stored meta of task ${taskId} is not a Celery meta`);
  }
  const meta = value as TaskMeta;
  if (typeof meta.task_id !== 'string') meta.task_id = taskId;
  return meta;
}

/** Decode a saved group (`{"result": tuple}`); undefined when it has no tuple. */
export function decodeGroup(bytes: Buffer): ResultTuple | undefined {
  const value = decodeValue(bytes);
  if (typeof value !== 'object' || value === null) return undefined;
  const tuple = (value as { result?: unknown }).result;
  return Array.isArray(tuple) ? (tuple as ResultTuple) : undefined;
}

/** Encode a chord part as Celery does: `[1, task_id, state, result]`. */
export function encodeChordPart(serializer: Serializer, part: ChordPart): string | Buffer {
  return encodeValue(serializer, [1, part.taskId, part.state, part.result]);
}

/** Decode a `.j` member and its score (`inf` for a part without group_index). */
export function decodeChordPart(member: Buffer, score: string): ChordPart {
  const value = decodeValue(member);
  if (!Array.isArray(value) || value.length < 4 || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
    throw new MessageDecodeError('bad-chord-part', 'A chord part is not [1, task_id, state, result]');
  }
  const index = Number(score);
  return { taskId: value[1], state: value[2], result: value[3], index: Number.isFinite(index) ? index : null };
}
