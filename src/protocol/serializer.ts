/**
 * Body serializers: `json` (Celery's default) and `msgpack` (msgpackr, set up to read and write what
 * Python's msgpack writes with `use_bin_type=True` / `raw=False`).
 * @module
 */
import { Packr } from 'msgpackr';
import { MessageDecodeError } from '../errors.js';

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
      return JSON.parse(text, reviveKombuTypes);
    } catch (error) {
      throw new MessageDecodeError('bad-json', `JSON body does not parse: ${(error as Error).message}`);
    }
  },
};

// Python's msgpack: maps decode to plain objects, str/bin are distinct, floats are float64.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, int64AsType: 'number' });

/** msgpack, compatible with Python's `msgpack.packb(use_bin_type=True)` / `unpackb(raw=False)`. */
export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  contentType: 'application/x-msgpack',
  contentEncoding: 'binary',
  encode: (value) => packr.pack(value),
  decode: (bytes) => {
    try {
      return packr.unpack(bytes);
    } catch (error) {
      throw new MessageDecodeError('bad-msgpack', `msgpack body does not decode: ${(error as Error).message}`);
    }
  },
};

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
  const found = byContentType.get(contentType.split(';')[0]!.trim().toLowerCase());
  if (!found) throw new MessageDecodeError('unsupported-content-type', `Unsupported content type: ${contentType}`);
  return found;
}
