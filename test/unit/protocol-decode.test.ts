/**
 * decodeTaskMessage: defaults for absent headers, and one test per MessageDecodeError reason.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MessageDecodeError } from '../../src/errors.js';
import { decodeTaskMessage, DEFAULT_MAX_BODY_BYTES } from '../../src/protocol/decode.js';
import type { EncodedMessage } from '../../src/protocol/encode.js';
import { msgpackSerializer } from '../../src/protocol/serializer.js';

const ID = '8d523c43-1083-47d1-80b6-60852efa8568';
const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };

/** A JSON message with only the two required headers, unless overridden. */
function wire(overrides: Partial<EncodedMessage> & { json?: unknown } = {}): EncodedMessage {
  const { json = [[2, 3], {}, EMBED], ...rest } = overrides;
  return {
    body: new TextEncoder().encode(JSON.stringify(json)),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { task: 'tasks.add', id: ID },
    properties: {},
    ...rest,
  };
}

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MessageDecodeError) return error.reason;
    throw error;
  }
  throw new Error('expected a MessageDecodeError, but decoding succeeded');
}

describe('decodeTaskMessage fills what is absent', () => {
  it('gives absent optional headers Celery defaults, computes the reprs and fills the properties', () => {
    const message = decodeTaskMessage(wire({ properties: { priority: 3, custom: 'kept' } }));
    expect(message.headers).toEqual({
      lang: 'py',
      task: 'tasks.add',
      id: ID,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: ID,
      parent_id: null,
      argsrepr: '(2, 3)',
      kwargsrepr: '{}',
      origin: '',
      ignore_result: false,
    });
    expect(message.properties).toEqual({ priority: 3, custom: 'kept', correlation_id: ID, reply_to: '', delivery_mode: 2 });
  });

  it('keeps unknown headers (newer Celery stamps) and treats nulls of required-typed headers as absent', () => {
    const headers = { task: 'tasks.add', id: ID, retries: null, timelimit: null, stamped_headers: ['a'], stamps: { a: 1 }, replaced_task_nesting: 2 };
    const message = decodeTaskMessage(wire({ headers }));
    expect(message.headers).toMatchObject({ retries: 0, timelimit: [null, null], stamped_headers: ['a'], stamps: { a: 1 }, replaced_task_nesting: 2 });
  });

  it('accepts a body without embed, or with a null embed, as all-null', () => {
    expect(decodeTaskMessage(wire({ json: [[1], { a: 1 }] })).embed).toEqual(EMBED);
    expect(decodeTaskMessage(wire({ json: [[1], {}, null] })).embed).toEqual(EMBED);
    expect(decodeTaskMessage(wire({ json: [[1], {}, { callbacks: [] }] })).embed).toEqual({ ...EMBED, callbacks: [] });
  });

  it('decompresses application/x-gzip (zlib) and drops the compression header', () => {
    const plain = wire();
    const compressed = { ...plain, body: new Uint8Array(deflateSync(plain.body)), headers: { ...plain.headers, compression: 'application/x-gzip' } };
    const message = decodeTaskMessage(compressed);
    expect(message.args).toEqual([2, 3]);
    expect(message.headers).not.toHaveProperty('compression');
  });

  it('reads a body compressed by kombu (compression.compress(body, "zlib") from kombu 5.2.4)', () => {
    const kombuBody = 'eJyLjjbSUTCO1VGoVspLzE1VslJQyogpNTBItczJyVeqBYknJ+bkJCUmZxcDJfNKc3J0FJRSi4rQRJIzEjPzkLn5RSlQbm0sACXAH/M=';
    const message = decodeTaskMessage({ ...wire(), body: new Uint8Array(Buffer.from(kombuBody, 'base64')), headers: { task: 't', id: ID, compression: 'application/x-gzip' } });
    expect([message.args, message.kwargs]).toEqual([[2, 3], { name: 'héllo' }]);
  });

  it('accepts a content type with parameters', () => {
    expect(decodeTaskMessage(wire({ contentType: 'application/json; charset=utf-8' })).args).toEqual([2, 3]);
  });
});

describe('decodeTaskMessage refuses bad input with a reason', () => {
  it('body-too-large: the raw body, and the inflated body of a compression bomb', () => {
    expect(reasonOf(() => decodeTaskMessage(wire(), { maxBodyBytes: 10 }))).toBe('body-too-large');
    const bomb = new Uint8Array(deflateSync(Buffer.alloc(1_000_000, 0x20)));
    expect(bomb.byteLength).toBeLessThan(2000);
    expect(reasonOf(() => decodeTaskMessage({ ...wire(), body: bomb, headers: { task: 't', id: ID, compression: 'application/x-gzip' } }, { maxBodyBytes: 100_000 }))).toBe(
      'body-too-large',
    );
    expect(DEFAULT_MAX_BODY_BYTES).toBe(64 * 1024 * 1024);
  });

  it('unsupported-content-type: pickle, yaml, or none', () => {
    expect(reasonOf(() => decodeTaskMessage(wire({ contentType: 'application/x-python-serialize' })))).toBe('unsupported-content-type');
    expect(reasonOf(() => decodeTaskMessage(wire({ contentType: 'application/x-yaml' })))).toBe('unsupported-content-type');
    expect(reasonOf(() => decodeTaskMessage(wire({ contentType: '' })))).toBe('unsupported-content-type');
  });

  it('unsupported-compression: bz2, zstd, or a non-string header', () => {
    for (const compression of ['application/x-bz2', 'application/zstd', 'application/x-lzma', 42]) {
      expect(reasonOf(() => decodeTaskMessage(wire({ headers: { task: 't', id: ID, compression } })))).toBe('unsupported-compression');
    }
  });

  it('bad-compression: the header says gzip but the body is not', () => {
    expect(reasonOf(() => decodeTaskMessage(wire({ headers: { task: 't', id: ID, compression: 'application/x-gzip' } })))).toBe('bad-compression');
  });

  it('bad-json, bad-encoding, bad-msgpack', () => {
    expect(reasonOf(() => decodeTaskMessage({ ...wire(), body: new TextEncoder().encode('[[1], {}, ') }))).toBe('bad-json');
    expect(reasonOf(() => decodeTaskMessage({ ...wire(), body: new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]) }))).toBe('bad-encoding');
    const msgpack = { ...wire(), contentType: 'application/x-msgpack', contentEncoding: 'binary' };
    expect(reasonOf(() => decodeTaskMessage({ ...msgpack, body: new Uint8Array([0x93, 0x91]) }))).toBe('bad-msgpack');
    expect(reasonOf(() => decodeTaskMessage({ ...msgpack, body: new Uint8Array() }))).toBe('bad-msgpack');
    const trailing = new Uint8Array([...msgpackSerializer.encode([[1], {}, EMBED]), 0xc0]);
    expect(reasonOf(() => decodeTaskMessage({ ...msgpack, body: trailing }))).toBe('bad-msgpack');
  });

  it('missing-header: no task or id (a protocol-1 message), or empty ones', () => {
    const protocol1 = wire({ headers: {}, json: { task: 'tasks.add', id: ID, args: [2, 3], kwargs: {} } });
    expect(reasonOf(() => decodeTaskMessage(protocol1))).toBe('missing-header');
    expect(reasonOf(() => decodeTaskMessage(wire({ headers: { task: 'tasks.add' } })))).toBe('missing-header');
    expect(reasonOf(() => decodeTaskMessage(wire({ headers: { id: ID } })))).toBe('missing-header');
    expect(reasonOf(() => decodeTaskMessage(wire({ headers: { task: '', id: ID } })))).toBe('missing-header');
  });

  it.each([
    ['not a list', { args: [1] }],
    ['too short', [[1]]],
    ['too long', [[1], {}, EMBED, 'extra']],
    ['args not a list', [{ 0: 1 }, {}, EMBED]],
    ['kwargs not an object', [[1], [], EMBED]],
    ['embed not an object', [[1], {}, 'embed']],
    ['callbacks not a list', [[1], {}, { ...EMBED, callbacks: {} }]],
    ['a chain step that is not a signature', [[1], {}, { ...EMBED, chain: [{ args: [] }] }]],
    ['a chord that is not a signature', [[1], {}, { ...EMBED, chord: 'xsum' }]],
  ])('bad-body: %s', (_name, json) => {
    expect(reasonOf(() => decodeTaskMessage(wire({ json })))).toBe('bad-body');
  });

  it.each([
    ['retries', 'one'],
    ['retries', -1],
    ['timelimit', [10]],
    ['timelimit', ['10', null]],
    ['group_index', 1.5],
    ['ignore_result', 'false'],
    ['eta', 'tomorrow'],
    ['expires', 1700000000],
    ['root_id', 7],
  ])('bad-header: %s = %j', (name, value) => {
    expect(reasonOf(() => decodeTaskMessage(wire({ headers: { task: 't', id: ID, [name]: value } })))).toBe('bad-header');
  });
});
