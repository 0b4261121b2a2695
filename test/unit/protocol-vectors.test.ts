/**
 * Every task message captured from Celery 5.2.6 (test/fixtures/celery-5.2.6) decodes to what Python
 * decoded, re-encodes to an equal message, and (msgpack) to the very same bytes.
 */
import { describe, expect, it } from 'vitest';
import type { WireMessage } from '../../src/broker/broker.js';
import { MessageDecodeError } from '../../src/errors.js';
import { decodeTaskMessage } from '../../src/protocol/decode.js';
import { type EncodedMessage, encodeTaskMessage } from '../../src/protocol/encode.js';
import type { TaskMessage } from '../../src/protocol/message.js';
import { serializerForContentType } from '../../src/protocol/serializer.js';
import { amqpMessages, brokerMessages, unackedEnvelopes } from '../fixtures/vectors.js';

/** Python could not decode this one either: celery/celery#4710 (msgpack sizes a group signature by its task count). */
const CORRUPT_BY_PYTHON = 'broker_redis_msgpack_chain_with_group.json#0';

const jsonMessages = brokerMessages('json');
const msgpackMessages = brokerMessages('msgpack');
const readable = [...jsonMessages, ...msgpackMessages].filter((m) => m.label !== CORRUPT_BY_PYTHON);

const bodyOf = (message: TaskMessage): unknown[] => [message.args, message.kwargs, message.embed];

// Compile-time check: the broker's WireMessage is the protocol's EncodedMessage.
const _toWire = (message: EncodedMessage): WireMessage => message;
const _fromWire = (message: WireMessage): EncodedMessage => message;
void _toWire;
void _fromWire;

describe('captured Redis broker vectors', () => {
  it('has every scenario in both serializers', () => {
    expect(jsonMessages.length).toBe(21);
    expect(msgpackMessages.length).toBe(21);
    expect(new Set(jsonMessages.map((m) => m.scenario)).size).toBe(15);
  });

  it.each(readable.map((m) => [m.label, m] as const))('%s decodes to the body Python decoded', (_label, vector) => {
    const message = decodeTaskMessage(vector.wire);
    expect(bodyOf(message)).toEqual(vector.bodyDecoded);
    // Every header Python sent is there, unchanged; nothing was added (all v2 headers were present).
    expect(message.headers).toEqual(vector.envelope.headers);
    // Properties are kept, including the Redis envelope's delivery_info/body_encoding/delivery_tag.
    expect(message.properties).toEqual(vector.envelope.properties);
  });

  it.each(readable.map((m) => [m.label, m] as const))('%s re-encodes with the same serializer to an equal message', (_label, vector) => {
    const message = decodeTaskMessage(vector.wire);
    const serializer = serializerForContentType(vector.wire.contentType);
    const encoded = encodeTaskMessage(message, serializer);
    expect(encoded.contentType).toBe(vector.wire.contentType);
    expect(encoded.contentEncoding).toBe(vector.wire.contentEncoding);
    expect(encoded.headers).toEqual(vector.envelope.headers);
    expect(decodeTaskMessage(encoded)).toEqual(message);
    if (vector.serializer === 'json') {
      expect(JSON.parse(Buffer.from(encoded.body).toString('utf8'))).toEqual(vector.bodyDecoded);
    } else {
      // No integral floats in these bodies, so msgpack output is byte-for-byte what Python wrote.
      expect(Buffer.from(encoded.body).toString('base64')).toBe(vector.envelope.body);
    }
  });

  it('json and msgpack captures of the same scenario decode to the same structure', () => {
    for (const json of jsonMessages) {
      const twin = msgpackMessages.find((m) => m.scenario === json.scenario && m.label.endsWith(json.label.slice(json.label.indexOf('#'))));
      if (!twin || twin.label === CORRUPT_BY_PYTHON) continue;
      const fromJson = decodeTaskMessage(json.wire);
      const fromMsgpack = decodeTaskMessage(twin.wire);
      // Ids differ between runs; the shapes and the plain values do not.
      expect(fromMsgpack.args).toEqual(fromJson.args);
      expect(Object.keys(fromMsgpack.kwargs)).toEqual(Object.keys(fromJson.kwargs));
      expect(Object.keys(fromMsgpack.embed)).toEqual(Object.keys(fromJson.embed));
    }
  });

  it('refuses the msgpack chain_with_group message Python itself corrupted (celery/celery#4710)', () => {
    const corrupt = msgpackMessages.find((m) => m.label === CORRUPT_BY_PYTHON);
    expect(corrupt?.bodyDecoded).toHaveProperty('_decode_error');
    let thrown: unknown;
    try {
      decodeTaskMessage(corrupt!.wire);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MessageDecodeError);
    expect(['bad-msgpack', 'bad-body']).toContain((thrown as MessageDecodeError).reason);
  });

  it('reads the remaining chain in reverse order and signature dicts in the embed', () => {
    const chain3 = decodeTaskMessage(jsonMessages.find((m) => m.scenario === 'chain3')!.wire);
    expect(chain3.embed.chain?.map((step) => [step.task, step.args])).toEqual([
      ['wiretasks.add', [5]],
      ['wiretasks.mul', [10]],
    ]);
    const chord = decodeTaskMessage(jsonMessages.find((m) => m.scenario === 'chord3')!.wire);
    expect(chord.embed.chord?.task).toBe('wiretasks.xsum');
    expect(chord.headers.group_index).toBeTypeOf('number');
  });
});

describe('captured AMQP (RabbitMQ) vector', () => {
  const messages = amqpMessages();

  it.each(messages.map((m) => [m.name, m] as const))('%s decodes to the body Python decoded', (_name, vector) => {
    const message = decodeTaskMessage(vector.wire);
    expect(bodyOf(message)).toEqual(vector.bodyDecoded);
    expect(message.headers).toEqual(vector.wire.headers);
    const reencoded = encodeTaskMessage(message, serializerForContentType(vector.wire.contentType));
    expect(decodeTaskMessage(reencoded)).toEqual(message);
  });

  it('keeps the AMQP properties and the time limits', () => {
    const options = decodeTaskMessage(messages.find((m) => m.name === 'json_options')!.wire);
    expect(options.headers.timelimit).toEqual([3600, 3000]);
    expect(options.properties.priority).toBe(3);
    expect(options.properties.expiration).toBe('120000');
    expect(options.properties.correlation_id).toBe(options.headers.id);
  });
});

describe('envelopes held in kombu unacked hashes', () => {
  const held = unackedEnvelopes();

  it('finds the retry and chord snapshots', () => {
    expect(held.length).toBeGreaterThanOrEqual(3);
  });

  it.each(held.map((h) => [h.label, h] as const))('%s decodes', (_label, entry) => {
    const message = decodeTaskMessage(entry.wire);
    expect(message.headers.id).toBe(entry.envelope.headers['id']);
    expect(message.properties).toEqual(entry.envelope.properties);
  });

  it('keeps the properties 5.2.6 leaked on retry (origin, replaced_task_nesting)', () => {
    const retried = held.map((h) => decodeTaskMessage(h.wire)).find((m) => m.headers.retries === 1);
    expect(retried?.properties).toMatchObject({ replaced_task_nesting: 0 });
    expect(retried?.properties['origin']).toMatch(/^gen\d+@/);
    expect(retried?.headers.parent_id).toBe(retried?.headers.id);
  });
});
