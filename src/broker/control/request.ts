/**
 * Decoding of Celery's remote-control requests and kombu's addressing rules (`destination`,
 * `pattern` + `matcher`). Pure; no I/O.
 *
 * Request body (wire README §8):
 * `{"method", "arguments", "destination": null | [names], "pattern", "matcher",
 *   ["ticket", "reply_to": {"exchange", "routing_key"}]}`; headers `{"clock", "expires"}`.
 * @module
 */
import { MessageDecodeError } from '../../errors.js';
import { serializerForContentType } from '../../protocol/serializer.js';
import type { RawControlMessage, ReplyAddress } from './types.js';
import { boundedMatch, MAX_PATTERN_LENGTH } from './pattern-match.js';

/** A decoded remote-control request. */
export interface ControlRequest {
  /** The command, e.g. `revoke`, `ping`. */
  readonly method: string;
  /** The command's keyword arguments. */
  readonly arguments: Record<string, unknown>;
  /** Node names the request is for; `null` means every node. */
  readonly destination: readonly string[] | null;
  /** With `matcher`, selects nodes by name (`glob` or `pcre`) when `destination` is empty. */
  readonly pattern: string | null;
  readonly matcher: string | null;
  /** Present when the client waits for replies. */
  readonly ticket: string | null;
  readonly replyTo: ReplyAddress | null;
  /** The sender's Lamport clock (header `clock`), 0 when absent. */
  readonly clock: number;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return null;
}

const bad = (message: string): never => {
  throw new MessageDecodeError('bad-control-request', message);
};

/**
 * Decode a request. Throws {@link MessageDecodeError}: `unsupported-content-type`, `bad-json`,
 * `bad-msgpack`, or `bad-control-request` when the body is not a request object.
 */
export function decodeControlRequest(raw: RawControlMessage): ControlRequest {
  const body: unknown = serializerForContentType(raw.contentType).decode(raw.body);
  if (!isPlain(body)) return bad('A control request must be an object');
  const method = text(body['method']);
  if (!method) return bad('A control request needs a string method');
  const args = body['arguments'];
  if (args !== null && args !== undefined && !isPlain(args)) bad('Control request arguments must be an object');
  const destination = body['destination'];
  if (destination !== null && destination !== undefined && !Array.isArray(destination)) bad('destination must be a list or null');
  const replyTo = body['reply_to'];
  let address: ReplyAddress | null = null;
  if (isPlain(replyTo)) {
    const exchange = text(replyTo['exchange']);
    const routingKey = text(replyTo['routing_key']);
    if (exchange === null || routingKey === null) bad('reply_to needs exchange and routing_key');
    address = { exchange: exchange!, routingKey: routingKey! };
  }
  const clock = raw.headers['clock'];
  return {
    method,
    arguments: isPlain(args) ? args : {},
    destination: Array.isArray(destination) ? destination.map((name) => text(name) ?? String(name)) : null,
    pattern: text(body['pattern']),
    matcher: text(body['matcher']),
    ticket: text(body['ticket']),
    replyTo: address,
    clock: typeof clock === 'number' && Number.isFinite(clock) ? clock : 0,
  };
}

/**
 * True when `hostname` should run the request, as kombu's `Node.handle_message` decides: a
 * non-empty `destination` must name it; otherwise `pattern` with `matcher` must match it;
 * otherwise every node runs it.
 */
export function isAddressedTo(request: ControlRequest, hostname: string): boolean {
  if (request.destination && request.destination.length > 0) return request.destination.includes(hostname);
  if (request.pattern && request.matcher) return matches(hostname, request.pattern, request.matcher);
  return true;
}

/**
 * kombu's matchers: `glob` (fnmatch) and `pcre` (`re.match`, anchored at the start), both under a
 * time bound (a pattern that backtracks for too long does not match; see `pattern-match.ts`).
 */
function matches(hostname: string, pattern: string, matcher: string): boolean {
  if (pattern.length > MAX_PATTERN_LENGTH) return false;
  if (matcher === 'glob') {
    const glob = globToRegExp(pattern);
    return boundedMatch(glob.source, glob.flags, hostname);
  }
  if (matcher === 'pcre') return boundedMatch(`^(?:${pattern})`, '', hostname);
  return false;
}

/** Python's fnmatch translation: `*`, `?`, `[seq]`, `[!seq]`; everything else literal. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(index + 1, close).replace(/\\/g, '\\\\');
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      else if (set.startsWith('^')) set = `\\${set}`;
      source += `[${set}]`;
      index = close;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Task ids from a revoke request's `task_id` (one id or a list), as Celery's `maybe_list`. */
export function taskIdsOf(argumentsValue: Record<string, unknown>): string[] {
  const value = argumentsValue['task_id'];
  const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  return [...new Set(list.map((id) => text(id) ?? String(id)).filter((id) => id !== ''))];
}
