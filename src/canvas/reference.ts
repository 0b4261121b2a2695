/**
 * Canvas references: a large signature dict inside a message (the chord body every header task
 * carries, the chain steps still to run, callbacks) can be stored once in the result backend and
 * replaced by a small stub that names it. This keeps a chain of chords linear in size instead of
 * quadratic. Only celeriac workers resolve stubs, so references are opt-in (app option
 * `continuations: 'reference'`) for routes served by celeriac workers.
 * @module
 */
import type { SignatureDict } from '../protocol/message.js';

/** The option key of a stub: the backend key of the full dict. */
export const REF_OPTION = 'celeriac_ref';

/** True when `dict` is a stub standing for a stored dict. */
export function isReference(dict: SignatureDict): boolean {
  return typeof dict.options?.[REF_OPTION] === 'string';
}

/** The backend key a stub names. */
export function referenceKey(dict: SignatureDict): string | undefined {
  const key = dict.options?.[REF_OPTION];
  return typeof key === 'string' ? key : undefined;
}

/** A stub for `dict` stored under `key`: keeps name, type and id so logs and failures still make sense. */
export function referenceStub(dict: SignatureDict, key: string): SignatureDict {
  const options: SignatureDict['options'] = { [REF_OPTION]: key };
  if (dict.options.task_id) options.task_id = dict.options.task_id;
  return { task: dict.task, args: [], kwargs: {}, options, subtask_type: dict.subtask_type, immutable: dict.immutable };
}
