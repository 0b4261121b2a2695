/**
 * The serializers against Python: msgpack bytes equal to `msgpack.packb(value, use_bin_type=True)`
 * (msgpack 1.0.3), stored result values from the vectors decode as Python decoded them, and the
 * JS-only values (Date, undefined, big ints) are written in a form Python reads.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MessageDecodeError } from '../../src/errors.js';
import { jsonSerializer, msgpackSerializer, serializerForContentType } from '../../src/protocol/serializer.js';
import { storedResultValues } from '../fixtures/vectors.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const keyed = (n: number): Record<string, number> => Object.fromEntries(range(n).map((i) => [`k${i}`, i]));

/** [value, sha256 of Python's packb(value, use_bin_type=True), its length], generated on this machine. */
const PYTHON_PACKB: Record<string, [unknown, string, number]> = {
  str31: ['a'.repeat(31), 'd8b220c8b243e777e516176b3b1ad092d864b051a4aa7b8f43e3cf382d1b3399', 32],
  str32: ['a'.repeat(32), '276d2daf19b26958111a602953e5d28e63f726105fb7a5e2fefab6729f496b4c', 34],
  str255: ['a'.repeat(255), '68f96e81cde41c2a90805d266402291f11b17b6151a462154e2ec8cd4c62625a', 257],
  str256: ['a'.repeat(256), 'b54aed6be9f96cf2942a4d007b43c389c4b4b9ae4788f94f743abb7c1b6d5d9e', 259],
  str65535: ['a'.repeat(65535), 'ae606c3d6aaca8b43b24feb4aae3e5ab4088edb6d99d254d366f00e08f287c3d', 65538],
  str65536: ['a'.repeat(65536), '5f97d047d40a13f57389f8c7817f5afd69fe1e7739a305850eb23c5adb54674a', 65541],
  e_acute16: ['é'.repeat(16), '28f119bc302d920d0e8ee56cc13ad4cfc6ca520c43fd7af1c2bf34b8211f2621', 34],
  snowman85: ['☃'.repeat(85), '7dc7726975501ef4d18898c0e44325e3ac5385af5dd2bb580d210081ddb51b82', 257],
  snowman86: ['☃'.repeat(86), '99253278227db7ef798894ac0fb31fb77dce17ffb9ddf163c9a8f18908c8e61c', 261],
  emoji8: ['😀'.repeat(8), 'd569281056d151cc2cc3566a58161697e9c136ee9b6caf577ea67f85697bf4ba', 34],
  snowman21846: ['☃'.repeat(21846), 'b504bd9ada47d21ad52d0efb8605cd6c13b29f4c318aa78ddf892e3e422105cb', 65543],
  ints: [
    [0, 127, 128, 255, 256, 65535, 65536, 4294967295, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -(2 ** 53 - 1)],
    'd07a99b66de4f72f66a8ffdfdc472c3b4e2fd038c16d068b60b407f6e54dd46a',
    65,
  ],
  floats: [[0.5, -2.5, 1e300, 0.1, 1.5e-300], 'cfb221ab0afbd945b34599748b9d61d18fe1e59cac0764888667a7409d88e468', 46],
  bin256: [new Uint8Array(range(256)), '65e5320fe7b4f02bdaba66bc8643fa74abbb3203e85dc32a1a8b70e4723f5b03', 259],
  bin_empty: [new Uint8Array(), '6f2013565ba20b1a3247080cb8b2ec85189d499eb46adc089b4c01a122ec4397', 2],
  bin70000: [new Uint8Array(range(70000).map((i) => i % 256)), 'c66913e6c22507d16241430bdb90d79987e1f54bdf8ba7d1aa038f1c82d04e14', 70005],
  map15: [keyed(15), '2a9242a2d5026340450ef7f5223e49d5f4462cd76b1f14427954b8a52be5497c', 66],
  map16: [keyed(16), '899f8c4a622193409a492ec24ab31fdf40e6109cbb0b92c2b4f3df20255401be', 73],
  arr15: [range(15), '9168b6e66ae033ee2ce129cf7c02e57dfa46cb388170bedd37bd75b5a9b81ed4', 16],
  arr16: [range(16), '54de60ad19ef025e62f4734780c4aaebda3581da1bac1c3556288170a02229de', 19],
  arr70000: [range(70000), 'c561508f8fab919a251ec801bca9763e862aedc44c0ac5e677b2ec027fb512c1', 218549],
  nested: [{ a: [null, true, false, { b: 'c' }], empty_map: {}, empty_list: [] }, '0340a2e112108e14c6af9aac9156dc2bcfe6f79e80dfad521d7db05cef39a9bb', 35],
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('msgpack writes what Python msgpack writes', () => {
  it.each(Object.entries(PYTHON_PACKB))('%s', (_name, [value, sha256, length]) => {
    const bytes = msgpackSerializer.encode(value);
    expect(bytes.byteLength).toBe(length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(msgpackSerializer.decode(bytes)).toEqual(value instanceof Uint8Array ? Buffer.from(value) : value);
  });

  it('writes non-integral numbers as float64 (0xcb), never float32', () => {
    expect(hex(msgpackSerializer.encode(0.5))).toBe('cb3fe0000000000000');
    expect(hex(msgpackSerializer.encode(1.5))).toBe('cb3ff8000000000000');
  });

  it('writes integers beyond 32 bits as int64, not float64, so Python reads an int', () => {
    expect(hex(msgpackSerializer.encode(2 ** 32))).toBe('d30000000100000000');
    expect(hex(msgpackSerializer.encode(-(2 ** 40)))).toBe('d3ffffff0000000000');
    // Python writes positive ones as uint64 (0xcf); we read those back as numbers.
    expect(msgpackSerializer.decode(Buffer.from('cf0000000100000000', 'hex'))).toBe(2 ** 32);
    expect(msgpackSerializer.decode(Buffer.from('cf001fffffffffffff', 'hex'))).toBe(2 ** 53 - 1);
  });

  it('writes JS-only values as JSON would: Date as its ISO string, undefined left out or null', () => {
    const date = new Date(Date.UTC(2026, 10, 22, 12, 0, 0, 5));
    expect(msgpackSerializer.decode(msgpackSerializer.encode({ at: date, gone: undefined, list: [undefined, 1], set: new Set([1]) }))).toEqual({
      at: '2026-11-22T12:00:00.005Z',
      list: [null, 1],
      set: [1],
    });
    expect(hex(msgpackSerializer.encode(undefined))).toBe('c0');
  });

  it('writes class instances as plain maps, with no msgpack extension types', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const bytes = msgpackSerializer.encode([new Point(1, 2), new Error('e')]);
    expect(msgpackSerializer.decode(bytes)).toEqual([{ x: 1, y: 2 }, {}]);
    expect([...bytes].some((byte) => byte >= 0xc7 && byte <= 0xc9)).toBe(false);
  });

  it('does not copy values that need no rewriting', () => {
    const value = { a: [1, 'x', { b: 2.5 }] };
    expect(msgpackSerializer.decode(msgpackSerializer.encode(value))).toEqual(value);
  });
});

describe('stored result values from the vectors', () => {
  for (const serializer of ['msgpack', 'json'] as const) {
    const values = storedResultValues(serializer);
    it(`finds the ${serializer} values`, () => {
      expect(values.length).toBeGreaterThan(40);
    });
    it.each(values.map((v) => [v.label, v] as const))(`${serializer} %s decodes as Python decoded it`, (_label, stored) => {
      const codec = serializer === 'json' ? jsonSerializer : msgpackSerializer;
      if (stored.pythonError !== undefined) {
        // Python refused these bytes (e.g. a JSON notification captured in a msgpack run); so do we.
        expect(() => codec.decode(stored.raw)).toThrow(MessageDecodeError);
        return;
      }
      const decoded = codec.decode(stored.raw);
      expect(decoded).toEqual(stored.decoded);
      expect(codec.decode(codec.encode(decoded))).toEqual(decoded);
    });
  }
});

describe('serializer lookup and JSON', () => {
  it('maps content types, with or without parameters, and refuses others', () => {
    expect(serializerForContentType('application/json; charset=utf-8')).toBe(jsonSerializer);
    expect(serializerForContentType('application/x-msgpack')).toBe(msgpackSerializer);
    expect(serializerForContentType('application/msgpack')).toBe(msgpackSerializer);
    expect(() => serializerForContentType('application/x-python-serialize')).toThrow(MessageDecodeError);
  });

  it('reads kombu ≥5.3 typed envelopes as plain values', () => {
    const text = '{"at": {"__type__": "datetime", "__value__": "2026-11-22T12:00:00+00:00"}, "n": {"__type__": "decimal", "__value__": "1.5"}}';
    expect(jsonSerializer.decode(new TextEncoder().encode(text))).toEqual({ at: '2026-11-22T12:00:00+00:00', n: '1.5' });
  });

  it('reads Python ensure_ascii escapes', () => {
    expect(jsonSerializer.decode(new TextEncoder().encode('{"name": "h\\u00e9llo \\u2603"}'))).toEqual({ name: 'héllo ☃' });
  });
});

describe('msgpack refuses the reserved byte 0xC1 (issue 12 item 10), as Python does', () => {
  it.each([
    ['alone', [0xc1]],
    ['in the body array', [0x93, 0xc1, 0x80, 0x80]],
    ['as a map value', [0x93, 0x90, 0x81, 0xa1, 0x61, 0xc1, 0x80]],
    ['deep in arrays', [0x91, 0x91, 0x91, 0xc1]],
  ])('%s', (_label, bytes) => {
    expect(() => msgpackSerializer.decode(new Uint8Array(bytes))).toThrow(/0xC1/);
  });

  it('still reads a large valid body', () => {
    const value = [Array.from({ length: 200_000 }, (_, i) => i), {}, {}];
    expect(msgpackSerializer.decode(msgpackSerializer.encode(value))).toEqual(value);
  });
});
