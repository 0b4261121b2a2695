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
  return typeof dict.options?.[REF_OPTION] === 'string' || typeof dict.options?.[CHAIN_KEY_OPTION] === 'string';
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

/** The option keys of a chain cursor (see {@link chainCursor}). */
export const CHAIN_KEY_OPTION = 'celeriac_chain';
export const CHAIN_AT_OPTION = 'celeriac_chain_at';
export const CHAIN_LENGTH_OPTION = 'celeriac_chain_length';

/** Where a chain cursor points: the stored steps `key`, from index `at` of `length`. */
export interface ChainCursor {
  readonly key: string;
  readonly at: number;
  readonly length: number;
}

/**
 * A chain cursor: one dict in a message's `chain` that stands for the steps `at … length-1` of a
 * chain stored once in the backend (steps in execution order, one entry each). A hop loads step
 * `at` alone and passes on the cursor at `at + 1`, so a hop costs the same at any chain length.
 */
export function chainCursor(cursor: ChainCursor): SignatureDict {
  const options: SignatureDict['options'] = { [CHAIN_KEY_OPTION]: cursor.key, [CHAIN_AT_OPTION]: cursor.at, [CHAIN_LENGTH_OPTION]: cursor.length };
  return { task: 'celeriac.chain', args: [], kwargs: {}, options, subtask_type: null, immutable: false };
}

/** The cursor a dict stands for, or `undefined` when it is not a chain cursor. */
export function readChainCursor(dict: SignatureDict): ChainCursor | undefined {
  const o = dict.options;
  const key = o?.[CHAIN_KEY_OPTION];
  const at = o?.[CHAIN_AT_OPTION];
  const length = o?.[CHAIN_LENGTH_OPTION];
  if (typeof key !== 'string' || typeof at !== 'number' || typeof length !== 'number') return undefined;
  return { key, at, length };
}
