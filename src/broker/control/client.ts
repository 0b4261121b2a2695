/**
 * A remote-control client (kombu's `Mailbox` client side, what `celery inspect|control` uses):
 * broadcast a command to every node (or to `destination`), and collect the replies that carry the
 * request's ticket until `timeoutMs`. Transport-independent; {@link ClientTransport} does the I/O.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { pidboxExchangeName, replyExchangeName, type RawControlMessage } from './types.js';

/** One node's reply: `{ nodename: value }`. */
export type ControlReply = Record<string, unknown>;

/** What a transport does for the client. */
export interface ClientTransport {
  /** Get ready to receive replies for `oid` on the reply exchange. */
  listen(replyExchange: string, oid: string, onReply: (message: RawControlMessage) => void): Promise<void>;
  /** Publish a request on the fanout exchange. */
  publish(exchange: string, message: RawControlMessage): Promise<void>;
  /** Stop listening and close connections. */
  close(): Promise<void>;
}

/** Options of {@link broadcast}. */
export interface BroadcastOptions {
  /** Command arguments. Default: `{}`. */
  arguments?: Record<string, unknown>;
  /** Node names to address. Default: every node. */
  destination?: readonly string[];
  /** Wait for replies this long. Default: 1000 (Celery's 1 s). */
  timeoutMs?: number;
  /** Stop once this many nodes replied. Default: wait the whole timeout. */
  limit?: number;
  /** Celery's `control_exchange`. Default: `'celery'`. */
  namespace?: string;
  /** Want replies. Default: true. */
  reply?: boolean;
}

/** Broadcast `method` and collect the replies (in arrival order). */
export async function broadcast(transport: ClientTransport, method: string, options: BroadcastOptions = {}): Promise<ControlReply[]> {
  const namespace = options.namespace ?? 'celery';
  const ticket = randomUUID();
  const oid = randomUUID();
  const timeoutMs = options.timeoutMs ?? 1000;
  const wantReply = options.reply !== false;
  const replies: ControlReply[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    if (wantReply) {
      await transport.listen(replyExchangeName(namespace), oid, (message) => {
        if (message.headers['ticket'] !== ticket) return;
        try {
          replies.push(JSON.parse(Buffer.from(message.body).toString('utf8')) as ControlReply);
        } catch {
          return;
        }
        if (options.limit !== undefined && replies.length >= options.limit) finish();
      });
    }
    const body = {
      method,
      arguments: options.arguments ?? {},
      destination: options.destination ? [...options.destination] : null,
      pattern: null,
      matcher: null,
      ...(wantReply ? { ticket, reply_to: { exchange: replyExchangeName(namespace), routing_key: oid } } : {}),
    };
    await transport.publish(pidboxExchangeName(namespace), {
      body: Buffer.from(JSON.stringify(body), 'utf8'),
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { clock: 1, expires: Date.now() / 1000 + timeoutMs / 1000 },
    });
    if (wantReply) {
      const timer = setTimeout(finish, timeoutMs);
      await done;
      clearTimeout(timer);
    }
    return replies;
  } finally {
    await transport.close();
  }
}
