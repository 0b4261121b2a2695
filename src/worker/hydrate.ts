/**
 * Resolve canvas references (canvas/reference.ts) in the parts of a signature dict that are about
 * to be applied: the dict itself, a chain's first step, a group's members, a chord's header members
 * (and its body when the header is empty). Everything else stays a reference (data) until its turn.
 * A chain cursor resolves to the one step it points at, carrying the cursor to the next step as its
 * chain continuation.
 * @module
 */
import { CHAIN_AT_OPTION, CHAIN_KEY_OPTION, CHAIN_LENGTH_OPTION, chainCursor, readChainCursor, referenceKey, type ChainCursor } from '../canvas/reference.js';
import { CanvasError } from '../errors.js';
import type { SignatureDict } from '../protocol/message.js';

/** Where stored canvas parts are read from (the result backend). */
export interface CanvasLoader {
  /** A stored dict by key. */
  canvas(key: string): Promise<SignatureDict | undefined>;
  /** `count` stored chain steps from index `from` (`undefined` where missing). */
  chainSteps(key: string, from: number, count: number): Promise<Array<SignatureDict | undefined>>;
}

/** A loader with a small in-process cache of stored dicts (the same body is resolved by every header task). */
export function cachedLoader(source: CanvasLoader, capacity = 256): CanvasLoader {
  const cache = new Map<string, SignatureDict>();
  return {
    async canvas(key) {
      const hit = cache.get(key);
      if (hit) return hit;
      const dict = await source.canvas(key);
      if (dict) {
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
        cache.set(key, dict);
      }
      return dict;
    },
    chainSteps: (key, from, count) => source.chainSteps(key, from, count),
  };
}

function list(value: unknown): SignatureDict[] {
  return Array.isArray(value) ? (value as SignatureDict[]) : [];
}

function gone(what: string): CanvasError {
  return new CanvasError(`${what} is gone from the result backend (expired?)`);
}

/**
 * The step a chain cursor points at, with the rest of the chain as its `chain` option (the cursor
 * at the next index, after any continuation the step had of its own). Options the cursor dict
 * picked up on the way (as a chord body, say) are kept where the step has none of its own.
 */
export async function expandCursor(dict: SignatureDict, cursor: ChainCursor, load: CanvasLoader): Promise<SignatureDict> {
  const [step] = await load.chainSteps(cursor.key, cursor.at, 1);
  if (!step) throw gone(`step ${cursor.at} of chain ${cursor.key}`);
  const after = cursor.at + 1 < cursor.length ? [chainCursor({ ...cursor, at: cursor.at + 1 })] : [];
  const chain = [...after, ...(step.options.chain ?? [])];
  const { [CHAIN_KEY_OPTION]: _k, [CHAIN_AT_OPTION]: _a, [CHAIN_LENGTH_OPTION]: _l, ...picked } = dict.options;
  const options = { ...picked, ...step.options };
  if (chain.length > 0) options.chain = chain;
  else delete options.chain;
  return { ...step, options };
}

/**
 * `chain` (a message's remaining steps, reversed) with every cursor replaced by the steps it stands
 * for: what a failure must mark as never run. One read per cursor.
 */
export async function expandChain(chain: readonly SignatureDict[], load: CanvasLoader): Promise<SignatureDict[]> {
  const out: SignatureDict[] = [];
  for (const dict of chain) {
    const cursor = readChainCursor(dict);
    if (!cursor) {
      out.push(dict);
      continue;
    }
    const steps = await load.chainSteps(cursor.key, cursor.at, cursor.length - cursor.at);
    if (steps.some((step) => step === undefined)) throw gone(`chain ${cursor.key}`);
    out.push(...(steps as SignatureDict[]).reverse());
  }
  return out;
}

/** `dict` with the references it is about to apply resolved. Throws CanvasError if one expired. */
export async function hydrate(dict: SignatureDict, load: CanvasLoader): Promise<SignatureDict> {
  const cursor = readChainCursor(dict);
  if (cursor) return hydrate(await expandCursor(dict, cursor, load), load);
  const key = referenceKey(dict);
  if (key) {
    const stored = await load.canvas(key);
    if (!stored) throw gone(`canvas reference ${key} (${dict.task})`);
    return hydrate(stored, load);
  }
  const kwargs = dict.kwargs ?? {};
  switch (dict.subtask_type) {
    case 'chain': {
      const [first, ...rest] = list(kwargs['tasks']);
      if (!first) return dict;
      return { ...dict, kwargs: { ...kwargs, tasks: [await hydrate(first, load), ...rest] } };
    }
    case 'group':
      return { ...dict, kwargs: { ...kwargs, tasks: await Promise.all(list(kwargs['tasks']).map((m) => hydrate(m, load))) } };
    case 'chord': {
      const header = kwargs['header'] as SignatureDict | undefined;
      const hydratedHeader = header ? await hydrate(header, load) : header;
      const emptyHeader = !hydratedHeader || list(hydratedHeader.kwargs?.['tasks']).length === 0;
      const body = kwargs['body'] as SignatureDict | undefined;
      return { ...dict, kwargs: { ...kwargs, header: hydratedHeader, body: emptyHeader && body ? await hydrate(body, load) : body } };
    }
    default:
      return dict;
  }
}
