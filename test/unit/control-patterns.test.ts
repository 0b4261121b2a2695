/**
 * Issue 12 item 9: a remote-control `pcre` (or `glob`) node pattern comes from any broker client;
 * a backtracking one (`(.|.|.)*Z`) blocked the worker's event loop (ReDoS). Matching is now time
 * bounded: such a pattern simply does not match, and ordinary patterns behave as kombu's.
 */
import { describe, expect, it } from 'vitest';
import { isAddressedTo, type ControlRequest } from '../../src/broker/control/request.js';

const HOST = 'celeriac.123456@a-rather-long-worker-hostname.example';

function request(pattern: string, matcher: string): ControlRequest {
  return { method: 'ping', arguments: {}, destination: null, pattern, matcher, ticket: null, replyTo: null, clock: 0 };
}

describe('remote-control node patterns', () => {
  it('a catastrophically backtracking pcre pattern does not match (and returns)', () => {
    expect(isAddressedTo(request('(.|.|.)*Z', 'pcre'), HOST)).toBe(false);
    expect(isAddressedTo(request('(a|a)*$|(.*)*(.*)*(.*)*Z', 'pcre'), HOST)).toBe(false);
  });

  it('a glob with many stars does not block either', () => {
    expect(isAddressedTo(request(`${'*'.repeat(60)}Z`, 'glob'), HOST)).toBe(false);
  });

  it('ordinary patterns match as kombu matches them', () => {
    expect(isAddressedTo(request('celeriac\\.\\d+@', 'pcre'), HOST)).toBe(true);
    expect(isAddressedTo(request('worker', 'pcre'), HOST)).toBe(false); // re.match is anchored at the start
    expect(isAddressedTo(request('celeriac.*@*.example', 'glob'), HOST)).toBe(true);
    expect(isAddressedTo(request('celeriac.*@other', 'glob'), HOST)).toBe(false);
    expect(isAddressedTo(request('(unclosed', 'pcre'), HOST)).toBe(false);
    expect(isAddressedTo(request('x'.repeat(2_000), 'pcre'), 'x'.repeat(2_000))).toBe(false);
  });
});
