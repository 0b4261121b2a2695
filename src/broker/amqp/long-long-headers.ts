/**
 * Lets one amqplib connection read py-amqp's `L` header values.
 *
 * py-amqp (Celery's client) writes integers beyond ±2^31 with the tag `L` (signed 64-bit), a tag
 * amqplib does not know: it throws "Unexpected type tag L" while decoding the content header and
 * kills the whole connection. RabbitMQ then redelivers the message to the next connection, which
 * dies the same way, forever (a poison message for every consumer on the queue).
 *
 * Fix, on this connection only: before amqplib parses the next frame, if it is a complete content
 * header frame, each `L` tag in its `headers` table (nested tables and arrays included) is rewritten
 * in place to `l`, which amqplib reads as the same signed 64-bit integer. Nothing else changes. This
 * relies on two amqplib internals (`Connection#recvFrame` parsing the first frame of `rest`); when
 * they are not there, the connection is left alone.
 * @module
 */
import type { ChannelModel } from 'amqplib';

const FRAME_HEADER = 2;
const FRAME_OVERHEAD = 8; // type (1) + channel (2) + size (4) + frame-end (1)
const TAG_L = 0x4c; // 'L'
const TAG_l = 0x6c; // 'l'
const FIXED: Record<string, number> = { t: 1, b: 1, B: 1, s: 2, u: 2, U: 2, I: 4, i: 4, L: 8, l: 8, f: 4, d: 8, D: 5, T: 8, V: 0 };

/** Rewrites `L` tags in the field value at `at`; returns the offset after it, or -1 when unknown. */
function fixValue(buf: Buffer, at: number, end: number): number {
  if (at >= end) return -1;
  const tag = buf[at]!;
  if (tag === TAG_L) buf[at] = TAG_l;
  const type = String.fromCharCode(tag);
  const start = at + 1;
  if (type === 'S' || type === 'x' || type === 'F' || type === 'A') {
    if (start + 4 > end) return -1;
    const stop = start + 4 + buf.readUInt32BE(start);
    if (stop > end) return -1;
    if (type === 'F' && fixTable(buf, start + 4, stop) < 0) return -1;
    if (type === 'A') {
      for (let cursor = start + 4; cursor < stop; ) {
        cursor = fixValue(buf, cursor, stop);
        if (cursor < 0) return -1;
      }
    }
    return stop;
  }
  const size = FIXED[type];
  return size === undefined ? -1 : start + size;
}

function fixTable(buf: Buffer, from: number, stop: number): number {
  for (let cursor = from; cursor < stop; ) {
    cursor = fixValue(buf, cursor + 1 + buf[cursor]!, stop);
    if (cursor < 0) return -1;
  }
  return stop;
}

/** Rewrites `L` tags in the headers of a content header frame payload (in place). */
export function fixContentHeaderPayload(payload: Buffer): void {
  let offset = 12; // class-id (2), weight (2), body size (8)
  if (payload.length < offset + 2) return;
  const flags = payload.readUInt16BE(offset);
  offset += 2;
  if (flags & 0x8000) offset += 1 + (payload[offset] ?? 0); // content-type shortstr
  if (flags & 0x4000) offset += 1 + (payload[offset] ?? 0); // content-encoding shortstr
  if (!(flags & 0x2000) || offset + 4 > payload.length) return;
  const stop = offset + 4 + payload.readUInt32BE(offset);
  if (stop <= payload.length) fixTable(payload, offset + 4, stop);
}

interface AmqplibConnectionInternals {
  rest: Buffer;
  recvFrame(): unknown;
}

/** Installs the fix on the connection of `model`; returns false when amqplib's internals differ. */
export function acceptPyAmqpLongLongs(model: ChannelModel): boolean {
  const connection = (model as unknown as { connection?: Partial<AmqplibConnectionInternals> }).connection;
  const original = connection?.recvFrame;
  if (!connection || typeof original !== 'function' || !Buffer.isBuffer(connection.rest)) return false;
  const internals = connection as AmqplibConnectionInternals;
  internals.recvFrame = function recvFrame(this: AmqplibConnectionInternals): unknown {
    const rest = this.rest;
    if (rest.length >= FRAME_OVERHEAD && rest[0] === FRAME_HEADER) {
      const size = rest.readUInt32BE(3);
      if (rest.length >= size + FRAME_OVERHEAD && rest.subarray(7, 7 + size).includes(TAG_L)) {
        fixContentHeaderPayload(rest.subarray(7, 7 + size));
      }
    }
    return original.call(this);
  };
  return true;
}
