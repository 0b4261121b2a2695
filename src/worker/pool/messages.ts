/**
 * What the worker and its task threads say to each other (structured-clone safe).
 * @module
 */
import type { SignatureDict, TaskMessage } from '../../protocol/message.js';
import type { ResultTuple } from '../../protocol/result-meta.js';
import type { DeliveryInfo } from '../delivery-info.js';

/** An error as it crosses the thread boundary. */
export interface ThreadError {
  name: string;
  message: string;
  stack: string | undefined;
  excArgs: unknown[] | undefined;
  excType: string | undefined;
  excModule: string | undefined;
}

/** Main → thread. */
export type ToThread =
  | { type: 'run'; jobId: number; message: Pick<TaskMessage, 'headers' | 'args' | 'kwargs' | 'embed' | 'properties'>; hostname: string; queue: string; delivery: DeliveryInfo | undefined }
  | { type: 'abort'; jobId: number; reason: ThreadError };

/** Thread → main. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'success'; jobId: number; value: unknown; children: ResultTuple[] }
  | { type: 'failure'; jobId: number; error: ThreadError; children: ResultTuple[] }
  | { type: 'retry'; jobId: number; countdownMs: number; maxRetries: number | undefined; cause: ThreadError; children: ResultTuple[] }
  | { type: 'state'; jobId: number; state: string; meta: unknown }
  | { type: 'replace'; jobId: number; replacement: SignatureDict }
  | { type: 'fatal'; error: ThreadError };

/** Flatten a thrown value for the other side. */
export function toThreadError(error: unknown): ThreadError {
  const e = error instanceof Error ? error : new Error(String(error));
  const extra = e as Error & { excArgs?: unknown; excType?: unknown; excModule?: unknown };
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    excArgs: Array.isArray(extra.excArgs) ? extra.excArgs : undefined,
    excType: typeof extra.excType === 'string' ? extra.excType : undefined,
    excModule: typeof extra.excModule === 'string' ? extra.excModule : undefined,
  };
}

/** Rebuild an Error (name, message, stack, Celery exception args) from its flat form. */
export function fromThreadError(flat: ThreadError): Error {
  const error = new Error(flat.message);
  error.name = flat.name;
  if (flat.stack) error.stack = flat.stack;
  if (flat.excArgs) Object.assign(error, { excArgs: flat.excArgs });
  if (flat.excType) Object.assign(error, { excType: flat.excType });
  if (flat.excModule) Object.assign(error, { excModule: flat.excModule });
  return error;
}
