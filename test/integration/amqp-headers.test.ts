/**
 * Header typing for py-amqp (no network): encoded headers must carry exactly the AMQP field-table
 * type tags Celery 5.2.6 / py-amqp writes (captured in amqp_rabbitmq_messages.json).
 */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { decodeHeaders, encodeHeaders } from '../../src/broker/amqp/field-table.js';
import { toPublishOptions, fromAmqpMessage, splitHeaders } from '../../src/broker/amqp/message-codec.js';
import { amqplibEncodeTable, fieldTableTags, loadAmqpVector, wireMessageFromVector } from '../helpers/amqp.js';
import type { Message } from 'amqplib';

const vector = loadAmqpVector();

describe('AMQP header encoding (py-amqp compatible type tags)', () => {
  it.each(vector.messages_in_queue_order.map((m, i) => [i, m] as const))('vector message %i gets the tags Celery writes', (_i, entry) => {
    const encoded = amqplibEncodeTable(encodeHeaders(entry.properties.application_headers));
    expect(fieldTableTags(encoded)).toEqual(entry.application_headers_amqp_type_tags);
  });

  it('never uses int8/int16 (py-amqp reads s as a string, b as unsigned)', () => {
    const encoded = amqplibEncodeTable(encodeHeaders({ small: 1, negative: -1, retries: 200, big: 40_000, timelimit: [3600, 3000] }));
    expect(fieldTableTags(encoded)).toEqual({ small: 'I', negative: 'I', retries: 'I', big: 'I', timelimit: 'A[I,I]' });
  });

  it('uses int64 beyond int32, double for non-integers, null for undefined', () => {
    const encoded = amqplibEncodeTable(encodeHeaders({ huge: 2 ** 40, bigint: 5n, ratio: 1.5, nan: Number.NaN, gone: undefined, none: null }));
    expect(fieldTableTags(encoded)).toEqual({ huge: 'l', bigint: 'l', ratio: 'd', nan: 'd', gone: 'V', none: 'V' });
  });

  it('types integers inside nested tables and arrays too', () => {
    const encoded = amqplibEncodeTable(encodeHeaders({ nested: { a: 7, list: [1, 'x', null, true, [2]] } }));
    expect(fieldTableTags(encoded)).toEqual({ nested: 'F' });
    const inner = amqplibEncodeTable(encodeHeaders({ a: 7, list: [1, 'x', null, true, [2]] }));
    expect(fieldTableTags(inner)).toEqual({ a: 'I', list: 'A[I,S,V,t,A[I]]' });
  });

  it('sends bytes as x and dates as ISO strings', () => {
    const encoded = amqplibEncodeTable(encodeHeaders({ raw: new Uint8Array([1, 2]), when: new Date(0) }));
    expect(fieldTableTags(encoded)).toEqual({ raw: 'x', when: 'S' });
  });

  it("refuses values amqplib would misread (a key named '!') or cannot send", () => {
    expect(() => encodeHeaders({ weird: { '!': 'int8', value: 1 } })).toThrow(TransportError);
    expect(() => encodeHeaders({ fn: () => 1 })).toThrow(TransportError);
  });

  it('decodes amqplib values back to plain ones', () => {
    const decoded = decodeHeaders({ t: { '!': 'timestamp', value: 1700000000 }, d: { '!': 'decimal', value: { places: 2, digits: 150 } }, x: Buffer.from([9]), n: { list: [1, null] } });
    expect(decoded).toEqual({ t: 1700000000, d: 1.5, x: new Uint8Array([9]), n: { list: [1, null] } });
  });
});

describe('AMQP properties (kombu layout)', () => {
  const options = vector.messages_in_queue_order[3]!;
  const message = wireMessageFromVector(options);

  it('maps Celery properties to basic properties, persistent, priority kept', () => {
    const publish = toPublishOptions(message);
    expect(publish).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 3,
      correlationId: options.properties['correlation_id'],
      replyTo: options.properties['reply_to'],
      expiration: '120000',
      mandatory: true,
    });
  });

  it('leaves priority 0 out, and lets the target priority win', () => {
    expect(toPublishOptions({ ...message, properties: { ...message.properties, priority: 0 } }).priority).toBeUndefined();
    expect(toPublishOptions(message, { priority: 7 }).priority).toBe(7);
  });

  it('reads a delivery back into the same WireMessage, transport headers split off', () => {
    const publish = toPublishOptions(message);
    const raw = {
      content: Buffer.from(message.body),
      fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' },
      properties: { ...publish, headers: { ...decodeHeaders(message.headers), 'x-death': [], 'x-celeriac-deliver-at': 5 } },
    } as unknown as Message;
    const { headers, transport } = splitHeaders(raw);
    expect(Object.keys(transport).sort()).toEqual(['x-celeriac-deliver-at', 'x-death']);
    const back = fromAmqpMessage(raw, headers);
    expect(back.headers).toEqual(options.properties.application_headers);
    expect(back.properties).toEqual({
      correlation_id: options.properties['correlation_id'],
      reply_to: options.properties['reply_to'],
      delivery_mode: 2,
      priority: 3,
      expiration: '120000',
    });
    expect(Buffer.from(back.body).equals(Buffer.from(message.body))).toBe(true);
  });
});
