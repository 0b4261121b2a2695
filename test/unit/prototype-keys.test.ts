/**
 * Issue 12 item 8: `__proto__` keys in JSON from the wire (signature options, headers, envelope
 * properties, result metas) are copied as nothing at all: they never become a prototype (a callback
 * with `{"__proto__": {"queue": "x"}}` was routed to `x`), and `Object.prototype` is untouched.
 */
import { describe, expect, it } from 'vitest';
import { Celeriac, signatureFromDict } from '../../src/index.js';
import { mergeOptions } from '../../src/canvas/options.js';
import { planApply } from '../../src/canvas/plan.js';
import type { PlanConfig } from '../../src/canvas/plan-types.js';
import type { SignatureDict } from '../../src/protocol/message.js';
import { decodeHeaders } from '../../src/broker/amqp/field-table.js';
import { parseEnvelope } from '../../src/broker/redis/envelope.js';

const app = new Celeriac({ logLevel: 'silent' });
app.task('proto.echo', (value: unknown) => value);
const config: PlanConfig = { defaultQueue: 'celery', route: () => undefined, serializer: 'json', origin: 'gen1@test', replyTo: 'reply', now: () => 0 };

describe('prototype keys from the wire', () => {
  it('a signature dict with __proto__ options is routed by its own options only', () => {
    const dict = JSON.parse('{"task": "proto.echo", "args": [1], "kwargs": {}, "options": {"__proto__": {"queue": "x", "priority": 9}}, "subtask_type": null, "immutable": false}') as SignatureDict;
    const { plan } = planApply(signatureFromDict(dict, app), { args: [] }, config);
    expect(plan.messages[0]!.queue).toBe('celery');
    expect(plan.messages[0]!.priority).toBeUndefined();
  });

  it('mergeOptions drops __proto__ and keeps a plain prototype', () => {
    const merged = mergeOptions(JSON.parse('{"__proto__": {"queue": "x"}, "countdown": 1}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged).toEqual({ countdown: 1 });
    expect((merged as { queue?: unknown }).queue).toBeUndefined();
  });

  it('AMQP headers and Redis envelope properties drop __proto__', () => {
    const headers = decodeHeaders(JSON.parse('{"__proto__": {"task": "x"}, "nested": {"__proto__": {"polluted": true}}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(headers['nested'])).toBe(Object.prototype);
    expect(headers['task']).toBeUndefined();
    const envelope = parseEnvelope(
      JSON.stringify({ body: '', 'content-type': 'application/json', 'content-encoding': 'utf-8', headers: {}, properties: {} }).replace('"properties":{}', '"properties":{"__proto__":{"priority":9}}'),
    );
    expect(Object.getPrototypeOf(envelope.message.properties)).toBe(Object.prototype);
    expect(envelope.message.properties['priority']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
