/**
 * Copying JSON that came off the wire without letting it touch prototypes. `JSON.parse` keeps a
 * `"__proto__"` key as a plain own property, but assigning it (`out[key] = value`) would replace
 * the target's prototype: a message could then smuggle options in (a callback with
 * `{"__proto__": {"queue": "x"}}` was routed to `x`). Every loop that copies wire objects key by key
 * skips such keys.
 * @module
 */

/** True for a key that must never be assigned while copying wire data (`__proto__`). */
export function isPrototypeKey(key: string): boolean {
  return key === '__proto__';
}

/** A shallow copy of `source` without prototype keys (a plain object). */
export function ownEntriesCopy<T extends Record<string, unknown>>(source: Readonly<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) if (!isPrototypeKey(key)) out[key] = value;
  return out as T;
}
