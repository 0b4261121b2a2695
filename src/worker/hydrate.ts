/**
 * Resolve canvas references (canvas/reference.ts) in the parts of a signature dict that are about
 * to be applied: the dict itself, a chain's first step, a group's members, a chord's header members
 * (and its body when the header is empty). Everything else stays a reference (data) until its turn.
 * @module
 */
import { referenceKey } from '../canvas/reference.js';
import { CanvasError } from '../errors.js';
import type { SignatureDict } from '../protocol/message.js';

/** Loads a stored dict by key. */
export type CanvasLoader = (key: string) => Promise<SignatureDict | undefined>;

/** A loader with a small in-process cache (the same body is resolved by every header task). */
export function cachedLoader(load: CanvasLoader, capacity = 256): CanvasLoader {
  const cache = new Map<string, SignatureDict>();
  return async (key) => {
    const hit = cache.get(key);
    if (hit) return hit;
    const dict = await load(key);
    if (dict) {
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(key, dict);
    }
    return dict;
  };
}

function list(value: unknown): SignatureDict[] {
  return Array.isArray(value) ? (value as SignatureDict[]) : [];
}

/** `dict` with the references it is about to apply resolved. Throws CanvasError if one expired. */
export async function hydrate(dict: SignatureDict, load: CanvasLoader): Promise<SignatureDict> {
  const key = referenceKey(dict);
  if (key) {
    const stored = await load(key);
    if (!stored) throw new CanvasError(`canvas reference ${key} (${dict.task}) is gone from the result backend (expired?)`);
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
