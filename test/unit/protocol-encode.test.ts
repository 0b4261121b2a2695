/**
 * encodeTaskMessage: complete headers with explicit nulls, the body layout, properties, compression.
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeTaskMessage } from '../../src/protocol/decode.js';
import { completeTaskHeaders, encodeTaskMessage } from '../../src/protocol/encode.js';
import { emptyEmbed, type TaskHeaders, type TaskMessage } from '../../src/protocol/message.js';
import { jsonSerializer, msgpackSerializer } from '../../src/protocol/serializer.js';

const ID = 'e86e7b5c-5e14-40d8-8f6a-8caa1a1c1ecf';

function message(headers: Partial<TaskHeaders> = {}): TaskMessage {
  return {
    headers: completeTaskHeaders({ task: 'tasks.add', id: ID, origin: 'gen1@host', ...headers }, [2, 3], {}),
    properties: { correlation_id: ID, reply_to: 'oid', delivery_mode: 2 },
    args: [2, 3],
    kwargs: {},
    embed: emptyEmbed(),
  };
}

describe('encodeTaskMessage', () => {
  it('writes the body as Celery does: [args, kwargs, embed] with all four embed keys', () => {
    const encoded = encodeTaskMessage(message(), jsonSerializer);
    expect(new TextDecoder().decode(encoded.body)).toBe('[[2,3],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]');
    expect(encoded.contentType).toBe('application/json');
    expect(encoded.contentEncoding).toBe('utf-8');
    const packed = encodeTaskMessage(message(), msgpackSerializer);
    expect(packed.contentType).toBe('application/x-msgpack');
    expect(packed.contentEncoding).toBe('binary');
  });

  it('sends every v2 header in Celery order, with explicit nulls and never undefined', () => {
    const raw = message();
    const headers = { ...raw.headers, eta: undefined, shadow: undefined, custom: undefined } as unknown as TaskHeaders;
    const encoded = encodeTaskMessage({ ...raw, headers, embed: { chain: undefined } as never }, jsonSerializer);
    expect(Object.keys(encoded.headers)).toEqual([
      'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit',
      'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result', 'custom',
    ]);
    expect(Object.values(encoded.headers)).not.toContain(undefined);
    expect(encoded.headers).toMatchObject({ eta: null, shadow: null, custom: null, root_id: ID, argsrepr: '(2, 3)', kwargsrepr: '{}' });
    expect(JSON.parse(new TextDecoder().decode(encoded.body))[2]).toEqual(emptyEmbed());
  });

  it('completeTaskHeaders: root_id defaults to the id (also when empty), timelimit gets both slots', () => {
    const headers = completeTaskHeaders({ task: 't', id: ID, root_id: '', timelimit: [30] as never }, [], { a: 1 });
    expect(headers).toMatchObject({ root_id: ID, timelimit: [30, null], argsrepr: '()', kwargsrepr: "{'a': 1}", lang: 'py', retries: 0 });
  });

  it('keeps the properties as given, drops undefined ones, fills the required ones', () => {
    const raw = message();
    const encoded = encodeTaskMessage({ ...raw, properties: { priority: 5, expiration: undefined } as never }, jsonSerializer);
    expect(encoded.properties).toEqual({ correlation_id: ID, reply_to: '', delivery_mode: 2, priority: 5 });
  });

  it('compresses with zlib under application/x-gzip, as kombu does, and decodes back', () => {
    const raw = message({ argsrepr: 'x'.repeat(10) });
    const plain = encodeTaskMessage(raw, jsonSerializer);
    const encoded = encodeTaskMessage(raw, jsonSerializer, { compression: 'gzip' });
    expect(encoded.headers['compression']).toBe('application/x-gzip');
    expect(encoded.body[0]).toBe(0x78); // a zlib stream (Python's zlib.decompress reads it), not gzip
    expect(new Uint8Array(inflateSync(encoded.body))).toEqual(plain.body);
    expect(decodeTaskMessage(encoded)).toEqual(raw);
  });

  it('compresses with brotli under application/x-brotli and decodes back', () => {
    const raw = message();
    const encoded = encodeTaskMessage(raw, msgpackSerializer, { compression: 'brotli' });
    expect(encoded.headers['compression']).toBe('application/x-brotli');
    expect(new Uint8Array(brotliDecompressSync(encoded.body))).toEqual(new Uint8Array(encodeTaskMessage(raw, msgpackSerializer).body));
    expect(decodeTaskMessage(encoded)).toEqual(raw);
  });

  it('never forwards a stale compression header when not compressing', () => {
    const raw = message();
    const encoded = encodeTaskMessage({ ...raw, headers: { ...raw.headers, compression: 'application/x-gzip' } }, jsonSerializer);
    expect(encoded.headers).not.toHaveProperty('compression');
    expect(decodeTaskMessage(encoded).args).toEqual([2, 3]);
  });

  it('round-trips a canvas-shaped message through both serializers', () => {
    const sig = { task: 'tasks.mul', args: [10], kwargs: {}, options: { task_id: 'x' }, subtask_type: null, immutable: false };
    const raw: TaskMessage = {
      ...message({ group: 'g', group_index: 0, timelimit: [3600, 3000], eta: '2026-11-22T12:12:24.013967+00:00' }),
      kwargs: { name: 'héllo ☃', ratio: 2.5 },
      embed: { callbacks: [sig], errbacks: null, chain: [sig, sig], chord: sig },
    };
    for (const serializer of [jsonSerializer, msgpackSerializer]) {
      expect(decodeTaskMessage(encodeTaskMessage(raw, serializer))).toEqual(raw);
    }
  });
});
