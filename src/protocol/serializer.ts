/**
 * Body serializers: `json` (Celery's default) and `msgpack` (msgpackr, set up to read and write what
 * Python's msgpack writes with `use_bin_type=True` / `raw=False`).
 * @module
 */
import { C1, Packr } from 'msgpackr';
import { MessageDecodeError } from '../errors.js';
import { isPrototypeKey } from './safe-keys.js';

/** A serializer name as used in Celery settings. */
export type SerializerName = 'json' | 'msgpack';

/** Encodes and decodes message bodies and result metas. */
export interface Serializer {
  readonly name: SerializerName;
  readonly contentType: string;
  readonly contentEncoding: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** kombu ≥5.3 tags special types as `{"__type__", "__value__"}`; we turn them into plain JSON values. */
function reviveKombuTypes(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 2 || !('__type__' in record) || !('__value__' in record)) return value;
  const inner = record['__value__'];
  switch (record['__type__']) {
    case 'datetime':
    case 'date':
    case 'time':
    case 'decimal':
      return String(inner);
    case 'uuid':
      return typeof inner === 'object' && inner !== null && 'hex' in inner ? String((inner as { hex: unknown }).hex) : String(inner);
    case 'bytes':
      return String(inner);
    case 'base64':
      return Buffer.from(String(inner), 'base64');
    default:
      return value;
  }
}

/** JSON, as Celery writes it (UTF-8). Non-ASCII is written as UTF-8, which every JSON reader accepts. */
export const jsonSerializer: Serializer = {
  name: 'json',
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  encode: (value) => textEncoder.encode(JSON.stringify(value)),
  decode: (bytes) => {
    let text: string;
    try {
      text = textDecoder.decode(bytes);
    } catch {
      throw new MessageDecodeError('bad-encoding', 'JSON body is not valid UTF-8');
    }
    try {
      // A reviver makes JSON.parse call back for every value (several times slower); only texts
      // that can hold kombu's tagged types pay for it.
      return text.includes('"__type__"') ? JSON.parse(text, reviveKombuTypes) : JSON.parse(text);
    } catch (error) {
      throw new MessageDecodeError('bad-json', `JSON body does not parse: ${(error as Error).message}`);
    }
  },
};

// Python's msgpack (`packb(use_bin_type=True)` / `unpackb(raw=False)`): maps decode to plain
// objects, str and bin are distinct (Uint8Array/Buffer ⇄ bin), non-integral numbers are always
// float64 (0xcb, never float32), no records, no structured clones, undefined as nil.
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  int64AsType: 'number',
  useFloat32: 0,
  encodeUndefinedAsNil: true,
  structuredClone: false,
  moreTypes: false,
});

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;

/** JSON leaves these out of objects and writes null for them in arrays. */
const isOmittedValue = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * Rewrite, before packing, what msgpackr would write differently from Python (or from our JSON):
 * - integers beyond 32 bits: msgpackr writes them as float64; as BigInt they become int64, so
 *   Python reads an `int`;
 * - objects with `toJSON` (Date → ISO string, as JSON.stringify does), instead of msgpack
 *   extensions Python does not read; Sets become lists; class instances become plain maps;
 * - undefined/functions/symbols: left out of objects, null in arrays (as JSON.stringify).
 * Unchanged subtrees are returned as they are (no copy).
 *
 * Known limit: JavaScript has one number type, so an integral float (`1.0`) is packed as the int
 * `1`, and Python reads `int`. Non-integral numbers are always float64, as Python writes them.
 */
function toMsgpackValue(value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN) ? BigInt(value) : value;
  }
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return isOmittedValue(value) ? null : value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index]; // holes read as undefined, written as null (as JSON)
      const packed = isOmittedValue(item) ? null : toMsgpackValue(item);
      if ((packed !== item || !(index in value)) && !copy) copy = value.slice(0, index);
      copy?.push(packed);
    }
    return copy ?? value;
  }
  if (value instanceof Set) return toMsgpackValue([...value]);
  if (value instanceof Map) return new Map([...value].filter(([, item]) => !isOmittedValue(item)).map(([key, item]) => [key, toMsgpackValue(item)]));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(value);
    if (json !== value) return toMsgpackValue(json);
  }
  const entries = Object.entries(value);
  let copy: Record<string, unknown> | undefined = Object.getPrototypeOf(value) === Object.prototype ? undefined : {};
  entries.forEach(([key, item], index) => {
    const omitted = isOmittedValue(item);
    const packed = omitted ? undefined : toMsgpackValue(item);
    if ((omitted || packed !== item) && !copy) copy = Object.fromEntries(entries.slice(0, index));
    if (copy && !omitted && !isPrototypeKey(key)) copy[key] = packed;
  });
  return copy ?? value;
}

/** msgpack, compatible with Python's `msgpack.packb(use_bin_type=True)` / `unpackb(raw=False)`. */
export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  contentType: 'application/x-msgpack',
  contentEncoding: 'binary',
  encode: (value) => packr.pack(toMsgpackValue(value)),
  decode: (bytes) => {
    if (bytes.byteLength === 0) throw new MessageDecodeError('bad-msgpack', 'msgpack body is empty');
    try {
      // Throws on trailing bytes too ("Data read, but end of buffer not reached"): Python's
      // corrupt group messages (celery/celery#4710) are refused, not half-read.
      const value: unknown = packr.unpack(bytes);
      if (containsC1(value)) throw new Error('reserved byte 0xC1 (never used) in the body');
      return value;
    } catch (error) {
      throw new MessageDecodeError('bad-msgpack', `msgpack body does not decode: ${(error as Error).message}`);
    }
  },
};

/**
 * True when msgpackr read the reserved byte 0xC1 somewhere in `value` (it returns a marker object
 * instead of failing; Python's msgpack refuses such data). Walked without recursion.
 */
function containsC1(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === C1) return true;
    if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (typeof item === 'object' && item !== null && !(item instanceof Uint8Array)) {
      for (const child of Object.values(item)) stack.push(child);
    }
  }
  return false;
}

const byName: Record<SerializerName, Serializer> = { json: jsonSerializer, msgpack: msgpackSerializer };
const byContentType = new Map<string, Serializer>([
  ['application/json', jsonSerializer],
  ['application/x-msgpack', msgpackSerializer],
  ['application/msgpack', msgpackSerializer],
]);

/** The serializer called `name`. */
export function serializerByName(name: SerializerName): Serializer {
  return byName[name];
}

/** The serializer for a content type, or a {@link MessageDecodeError} (`unsupported-content-type`). */
export function serializerForContentType(contentType: string): Serializer {
  // The exact string first (what every producer sends); parameters and case only when needed.
  const found = byContentType.get(contentType) ?? byContentType.get(contentType.split(';')[0]!.trim().toLowerCase());
  if (!found) throw new MessageDecodeError('unsupported-content-type', `Unsupported content type: ${contentType}`);
  return found;
}
