/**
 * Guards one amqplib connection against message headers it cannot (or must not) parse.
 *
 * amqplib parses a content header frame inside its socket handler; whatever throws there kills the
 * whole connection, and RabbitMQ redelivers the message to the next connection, which dies the same
 * way, forever (a poison message for every consumer on the queue). Two such cases:
 * - py-amqp (Celery's client) writes integers beyond ±2^31 with the tag `L` (signed 64-bit), a tag
 *   amqplib does not know ("Unexpected type tag L"). Each `L` is rewritten in place to `l`, which
 *   amqplib reads as the same signed 64-bit integer.
 * - Tables and arrays nested thousands deep overflow amqplib's recursive parser (RangeError), and
 *   unknown tags or truncated values make it throw. Such a headers table is replaced, before
 *   amqplib sees it, by `{ [BAD_HEADERS_MARKER]: '<why>' }`; the consumer then dead-letters the
 *   message with that reason instead of delivering it.
 *
 * The scan is iterative (no recursion, whatever the depth). It relies on two amqplib internals
 * (`Connection#recvFrame` parsing the first frame of `rest`); when they are not there, the
 * connection is left alone.
 * @module
 */
import type { ChannelModel } from 'amqplib';

/** Header set (alone) on a message whose headers table could not be read safely; its value says why. */
export const BAD_HEADERS_MARKER = 'x-celeriac-bad-headers';

const FRAME_HEADER = 2;
const FRAME_OVERHEAD = 8; // type (1) + channel (2) + size (4) + frame-end (1)
const FRAME_END = 0xce;
const TAG_L = 0x4c; // 'L'
const TAG_l = 0x6c; // 'l'
/** Sizes of the fixed-size values amqplib can read. */
const FIXED: Record<string, number> = { t: 1, b: 1, B: 1, s: 2, u: 2, I: 4, i: 4, L: 8, l: 8, f: 4, d: 8, D: 5, T: 8, V: 0 };

/** What a scan of a headers table found. */
export type ScanVerdict = 'ok' | 'too-deep' | 'malformed';

interface Level {
  readonly table: boolean;
  cursor: number;
  readonly stop: number;
}

/**
 * Scans the field table `buf[from, stop)` without recursion, rewriting `L` tags to `l` in place.
 * `too-deep` when a table or array is nested more than `maxDepth` levels below the top table;
 * `malformed` on an unknown tag or a value running past its container.
 */
export function scanFieldTable(buf: Buffer, from: number, stop: number, maxDepth: number): ScanVerdict {
  const stack: Level[] = [{ table: true, cursor: from, stop }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.cursor >= top.stop) {
      if (top.cursor > top.stop) return 'malformed';
      stack.pop();
      continue;
    }
    const at = top.table ? top.cursor + 1 + buf[top.cursor]! : top.cursor;
    if (at >= top.stop) return 'malformed';
    const tag = buf[at]!;
    if (tag === TAG_L) buf[at] = TAG_l;
    const type = String.fromCharCode(tag);
    const start = at + 1;
    if (type === 'S' || type === 'x' || type === 'F' || type === 'A') {
      if (start + 4 > top.stop) return 'malformed';
      const end = start + 4 + buf.readUInt32BE(start);
      if (end > top.stop) return 'malformed';
      top.cursor = end;
      if (type === 'F' || type === 'A') {
        if (stack.length > maxDepth) return 'too-deep';
        stack.push({ table: type === 'F', cursor: start + 4, stop: end });
      }
      continue;
    }
    const size = FIXED[type];
    if (size === undefined) return 'malformed';
    top.cursor = start + size;
  }
  return 'ok';
}

/** The headers table `{ [BAD_HEADERS_MARKER]: reason }` in wire form (without its length prefix). */
function markerTable(reason: string): Buffer {
  const key = Buffer.from(BAD_HEADERS_MARKER);
  const value = Buffer.from(reason);
  const out = Buffer.alloc(1 + key.length + 1 + 4 + value.length);
  out[0] = key.length;
  key.copy(out, 1);
  out[1 + key.length] = 'S'.charCodeAt(0);
  out.writeUInt32BE(value.length, 2 + key.length);
  value.copy(out, 6 + key.length);
  return out;
}

/**
 * Checks the headers of a content header frame payload (fixing `L` tags in place). Returns the
 * payload unchanged, or a new payload whose headers table is the marker when it was unreadable.
 */
export function guardContentHeaderPayload(payload: Buffer, maxDepth: number): Buffer {
  let offset = 12; // class-id (2), weight (2), body size (8)
  if (payload.length < offset + 2) return payload;
  const flags = payload.readUInt16BE(offset);
  offset += 2;
  if (flags & 0x8000) offset += 1 + (payload[offset] ?? 0); // content-type shortstr
  if (flags & 0x4000) offset += 1 + (payload[offset] ?? 0); // content-encoding shortstr
  if (!(flags & 0x2000) || offset + 4 > payload.length) return payload;
  const stop = offset + 4 + payload.readUInt32BE(offset);
  if (stop > payload.length) return payload; // amqplib reports a truncated frame itself
  const verdict = scanFieldTable(payload, offset + 4, stop, maxDepth);
  if (verdict === 'ok') return payload;
  const why = verdict === 'too-deep' ? `headers nested deeper than ${maxDepth} levels` : 'headers table is malformed';
  const table = markerTable(why);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(table.length);
  return Buffer.concat([payload.subarray(0, offset), length, table, payload.subarray(stop)]);
}

interface AmqplibConnectionInternals {
  rest: Buffer;
  recvFrame(): unknown;
}

/**
 * Installs the guard on the connection of `model` (see the module doc): headers nested deeper than
 * `maxDepth` levels or malformed are replaced by the marker. Returns false when amqplib's internals differ.
 */
export function guardHeaders(model: ChannelModel, maxDepth: number): boolean {
  const connection = (model as unknown as { connection?: Partial<AmqplibConnectionInternals> }).connection;
  const original = connection?.recvFrame;
  if (!connection || typeof original !== 'function' || !Buffer.isBuffer(connection.rest)) return false;
  const internals = connection as AmqplibConnectionInternals;
  internals.recvFrame = function recvFrame(this: AmqplibConnectionInternals): unknown {
    const rest = this.rest;
    if (rest.length >= FRAME_OVERHEAD && rest[0] === FRAME_HEADER) {
      const size = rest.readUInt32BE(3);
      if (rest.length >= size + FRAME_OVERHEAD) {
        const payload = rest.subarray(7, 7 + size);
        const guarded = guardContentHeaderPayload(payload, maxDepth);
        if (guarded !== payload) {
          const head = Buffer.from(rest.subarray(0, 7));
          head.writeUInt32BE(guarded.length, 3);
          this.rest = Buffer.concat([head, guarded, Buffer.from([FRAME_END]), rest.subarray(size + FRAME_OVERHEAD)]);
        }
      }
    }
    return original.call(this);
  };
  return true;
}
