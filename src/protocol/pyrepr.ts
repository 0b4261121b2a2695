/**
 * Python `repr`-like text for the `argsrepr` / `kwargsrepr` headers, following Celery 5.2.6's
 * `saferepr` (a streaming repr that truncates): same tokens, same truncation, same quirks, so the
 * headers look the same in logs and monitors (Flower) whichever side produced them.
 *
 * What `saferepr` does, and so do we:
 * - `None`, `True`, `False`; ints in decimal; floats as Python's `repr` (`1e-05`, `1e+16`, `nan`);
 * - strings in single quotes with only `'` escaped (`'it\'s'`); other characters are written as they
 *   are (no `\n` escapes); bytes as `b'…'` (UTF-8 text, or hex when not UTF-8);
 * - containers nested deeper than 3 levels are written `[...]`, `{...}`;
 * - with a limit, each token is truncated to the budget left (text at the last space, plus `...`);
 *   once the budget is spent, `, ...` and the closing brackets still open are written.
 *
 * JavaScript cannot tell `1.0` from `1` (both print as `1`), nor a tuple from a list: only the
 * top-level args are written as a tuple. Object keys come in JS order (integer-like keys first).
 * @module
 */

/** The default limit, as Celery's `argsrepr_maxsize` / `kwargsrepr_maxsize`. */
export const DEFAULT_REPR_MAX_LENGTH = 1024;

/** How deep containers are expanded (Celery's `maxlevels`). */
const MAX_LEVELS = 3;

/** A Python tuple: only used to write the top-level args as `(1, 2)` / `(1,)`. */
class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** Literal text: brackets (never dropped when truncating) and separators (dropped). */
interface Literal {
  readonly kind: 'literal';
  readonly text: string;
  /** False for brackets: they are still written after the budget is spent. */
  readonly droppable: boolean;
  /** +1 opens a level, -1 closes one. */
  readonly depth: -1 | 0 | 1;
}
type Item = Literal | { readonly kind: 'key' | 'value'; readonly value: unknown } | { readonly kind: 'leave'; readonly container: object };
type Token =
  | { kind: 'literal'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'key'; value: unknown }
  | { kind: 'chars'; value: unknown };

const KEY_SEPARATOR: Literal = { kind: 'literal', text: ': ', droppable: true, depth: 0 };
const ITEM_SEPARATOR: Literal = { kind: 'literal', text: ', ', droppable: true, depth: 0 };
const open = (text: string): Literal => ({ kind: 'literal', text, droppable: false, depth: 1 });
const close = (text: string): Literal => ({ kind: 'literal', text, droppable: false, depth: -1 });

/** Python's `len()` of a string: code points, not UTF-16 units. */
function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Celery's `truncate`: when `text` has `max` code points or more, cut at `max`, then at the last space, and add `...`. */
function truncate(text: string, max: number | null): string {
  if (!max || text.length < max) return text;
  // Walk at most `max` code points (never the whole of a huge string).
  let end = 0;
  let counted = 0;
  while (counted < max && end < text.length) {
    end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
    counted++;
  }
  if (counted < max) return text;
  const prefix = text.slice(0, end);
  const space = prefix.lastIndexOf(' ');
  return `${space >= 0 ? prefix.slice(0, space) : prefix}...`;
}

/** A float as Python's `repr`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const significand = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${significand}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A JS number as Python would print it: safe integers as ints, everything else as a float. */
function pythonNumber(value: number): string {
  return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloat(value);
}

/** Celery's `_format_chars`: a quoted string (only `'` escaped) or `b'…'` bytes, truncated to `max`. */
function formatChars(value: unknown, max: number | null): string {
  if (typeof value === 'string') return `'${truncate(value, max).replace(/'/g, "\\'")}'`;
  const bytes = value as Uint8Array;
  const cut = max !== null && max > 0 && bytes.byteLength > max;
  const shown = cut ? bytes.subarray(0, max) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(shown);
  } catch {
    text = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex');
  }
  return `b'${text}${cut ? '...' : ''}'`;
}

/** JSON drops these from objects (and writes null in arrays); so do we. */
const isOmitted = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

function sequence(values: readonly unknown[]): Item[] {
  const items: Item[] = [];
  values.forEach((value, index) => {
    if (index > 0) items.push(ITEM_SEPARATOR);
    items.push({ kind: 'value', value: isOmitted(value) ? null : value });
  });
  return items;
}

function mapping(entries: Iterable<[unknown, unknown]>): Item[] {
  const items: Item[] = [];
  for (const [key, value] of entries) {
    if (isOmitted(value)) continue;
    if (items.length > 0) items.push(ITEM_SEPARATOR);
    items.push({ kind: 'key', value: key }, KEY_SEPARATOR, { kind: 'value', value });
  }
  return items;
}

/** A scalar as a token, or a container as its brackets and children. */
type Classified = { token: Token } | { start: Literal; end: Literal; children: Item[]; name: string };

function classify(value: unknown): Classified {
  if (value === null || value === undefined) return { token: { kind: 'text', text: 'None' } };
  switch (typeof value) {
    case 'boolean':
      return { token: { kind: 'text', text: value ? 'True' : 'False' } };
    case 'number':
      return { token: { kind: 'text', text: pythonNumber(value) } };
    case 'bigint':
      return { token: { kind: 'text', text: value.toString() } };
    case 'string':
      return { token: { kind: 'chars', value } };
    case 'object':
      break;
    default:
      return { token: { kind: 'text', text: 'None' } };
  }
  if (value instanceof Uint8Array) return { token: { kind: 'chars', value } };
  if (value instanceof PyTuple) {
    return { start: open('('), end: close(value.items.length === 1 ? ',)' : ')'), children: sequence(value.items), name: 'tuple' };
  }
  if (Array.isArray(value)) return { start: open('['), end: close(']'), children: sequence(value), name: 'list' };
  if (value instanceof Set) {
    if (value.size === 0) return { token: { kind: 'text', text: 'set()' } };
    return { start: open('{'), end: close('}'), children: sequence([...value]), name: 'set' };
  }
  if (value instanceof Map) return { start: open('{'), end: close('}'), children: mapping(value), name: 'dict' };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(value);
    if (json !== value) return classify(json);
  }
  return { start: open('{'), end: close('}'), children: mapping(Object.entries(value)), name: 'dict' };
}

/**
 * Python-`repr`-like text of `value`, as Celery's `saferepr(value, maxLength)` writes it.
 * @param maxLength - the budget in characters (default 1024); `null` for no limit.
 */
export function pythonRepr(value: unknown, maxLength: number | null = DEFAULT_REPR_MAX_LENGTH): string {
  const frames: Array<{ items: Item[]; next: number }> = [{ items: [{ kind: 'value', value }], next: 0 }];
  const inProgress = new Set<object>();
  let level = 0;

  const nextToken = (): Token | undefined => {
    for (let frame = frames.at(-1); frame; frame = frames.at(-1)) {
      const item = frame.items[frame.next++];
      if (!item) {
        frames.pop();
      } else if (item.kind === 'literal') {
        level += item.depth;
        return { kind: 'literal', text: item.text };
      } else if (item.kind === 'leave') {
        inProgress.delete(item.container);
      } else if (item.kind === 'key') {
        return { kind: 'key', value: item.value };
      } else {
        const classified = classify(item.value);
        if ('token' in classified) return classified.token;
        if (level >= MAX_LEVELS) return { kind: 'text', text: `${classified.start.text}...${classified.end.text}` };
        const container = item.value as object;
        if (inProgress.has(container)) return { kind: 'text', text: `<Recursion on ${classified.name}>` };
        inProgress.add(container);
        frames.push({ items: [classified.start, ...classified.children, { kind: 'leave', container }, classified.end], next: 0 });
      }
    }
    return undefined;
  };

  let budget = maxLength;
  let output = '';
  for (let token = nextToken(); token; token = nextToken()) {
    if (budget !== null && budget <= 0) {
      // As saferepr: the token in hand is dropped; only the brackets still open are closed.
      output += ', ...';
      for (const frame of frames.reverse()) {
        for (const item of frame.items.slice(frame.next)) if (item.kind === 'literal' && !item.droppable) output += item.text;
      }
      break;
    }
    let text: string;
    if (token.kind === 'literal') text = token.text;
    else if (token.kind === 'key') text = pythonRepr(token.value, budget);
    else if (token.kind === 'chars') text = formatChars(token.value, budget);
    else text = truncate(token.text, budget);
    output += text;
    if (budget !== null) budget -= codePointLength(text);
  }
  return output;
}

/** `argsrepr`: the positional args written as a Python tuple, e.g. `(2, 3)`, `(1,)`, `()`. */
export function argsRepr(args: readonly unknown[], maxLength: number | null = DEFAULT_REPR_MAX_LENGTH): string {
  if (args.length === 0) return '()';
  return flatScalars(args, '(', args.length === 1 ? ',)' : ')', maxLength) ?? pythonRepr(new PyTuple(args), maxLength);
}

/**
 * The repr of a short list of integers, booleans and nulls without the general walk (the common
 * case of task arguments), or `undefined` when `values` holds anything else or may need cutting.
 */
function flatScalars(values: readonly unknown[], start: string, end: string, maxLength: number | null): string | undefined {
  if (values.length > 16) return undefined;
  let text = start;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    let item: string;
    if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) item = String(value);
    else if (typeof value === 'boolean') item = value ? 'True' : 'False';
    else if (value === null) item = 'None';
    else return undefined;
    text += i === 0 ? item : `, ${item}`;
  }
  text += end;
  // Under budget as a whole: nothing would have been cut.
  return maxLength === null || text.length < maxLength ? text : undefined;
}

/** `kwargsrepr`: the keyword args written as a Python dict, e.g. `{'a': 1}`. */
export function kwargsRepr(kwargs: Readonly<Record<string, unknown>>, maxLength: number | null = DEFAULT_REPR_MAX_LENGTH): string {
  for (const _key in kwargs) return pythonRepr(kwargs, maxLength);
  return '{}';
}
