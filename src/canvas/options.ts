/**
 * Public execution options of a signature (camelCase) and their mapping to Celery's option dict.
 * @module
 */
import type { SignatureOptionsDict } from '../protocol/message.js';
import type { SerializerName } from '../protocol/serializer.js';
import { isoWithMicros } from '../protocol/times.js';
import { isPrototypeKey } from '../protocol/safe-keys.js';

/** Execution options a signature carries. Every field is optional; defaults are the app's. */
export interface SignatureOptions {
  /** Pre-assigned task id. Default: assigned when the signature is frozen or sent. */
  taskId?: string;
  /** Queue to send to. Default: the app's route for the task name, else `'celery'`. */
  queue?: string;
  /** Priority 0–9. Default: none (the transport's default). Redis serves lower first, AMQP higher. */
  priority?: number;
  /** Run no earlier than this many **seconds** from sending. Default: run now. */
  countdown?: number;
  /** Run no earlier than this time. Default: run now. */
  eta?: Date | string;
  /** Discard the task (state REVOKED) if it has not started by then: a Date, or **seconds** from sending. */
  expires?: Date | number | string;
  /** Hard time limit in **seconds**. Default: the task's, else none. */
  timeLimit?: number;
  /** Soft time limit in **seconds** (the task's abort signal fires). Default: the task's, else none. */
  softTimeLimit?: number;
  /** Do not store a SUCCESS result. Default: false. */
  ignoreResult?: boolean;
  /** Body serializer for this message. Default: the app's (`json`). */
  serializer?: SerializerName;
  /** Display name for logs/events (Celery's `shadow`). */
  shadow?: string;
  /** Extra message headers. */
  headers?: Record<string, unknown>;
  /** The workflow's root task id. Default: the first task of the canvas. */
  rootId?: string;
  /** The parent task id. Default: none (or the running task when sent from inside one). */
  parentId?: string;
}

const mapping: ReadonlyArray<[keyof SignatureOptions, string]> = [
  ['taskId', 'task_id'],
  ['queue', 'queue'],
  ['priority', 'priority'],
  ['countdown', 'countdown'],
  ['eta', 'eta'],
  ['expires', 'expires'],
  ['timeLimit', 'time_limit'],
  ['softTimeLimit', 'soft_time_limit'],
  ['ignoreResult', 'ignore_result'],
  ['serializer', 'serializer'],
  ['shadow', 'shadow'],
  ['headers', 'headers'],
  ['rootId', 'root_id'],
  ['parentId', 'parent_id'],
];

/** Convert public options to Celery's option dict (dates become ISO strings with 6-digit microseconds, as Celery 5.2.6 parses them). */
export function toOptionsDict(options: SignatureOptions): SignatureOptionsDict {
  const dict: SignatureOptionsDict = {};
  for (const [camel, snake] of mapping) {
    const value = options[camel];
    if (value === undefined) continue;
    dict[snake] = value instanceof Date ? isoWithMicros(value) : value;
  }
  return dict;
}

/** Merge option dicts left to right; a `group_id` already present is never overwritten (Celery's rule). */
export function mergeOptions(...dicts: ReadonlyArray<SignatureOptionsDict | undefined>): SignatureOptionsDict {
  const merged: SignatureOptionsDict = {};
  for (const dict of dicts) {
    if (!dict) continue;
    for (const [key, value] of Object.entries(dict)) {
      if (value === undefined || isPrototypeKey(key)) continue;
      if (key === 'group_id' && merged.group_id !== undefined) continue;
      merged[key] = value;
    }
  }
  return merged;
}
