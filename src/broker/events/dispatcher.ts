/**
 * Celery's event dispatcher (celery/events/dispatcher.py), transport-independent: an event is a
 * JSON dict `{hostname, utcoffset, pid, clock, ...fields, timestamp, type}` published on the
 * `celeryev` exchange with routing key `type` with `-` → `.` (`task-succeeded` → `task.succeeded`),
 * headers `{hostname}`, transient. Sending never blocks and never throws: when the broker is
 * unreachable the event is dropped (monitoring must not slow tasks down).
 * @module
 */

/** Celery's event exchange. */
export const EVENT_EXCHANGE = 'celeryev';

/** Publishes one encoded event; implemented per transport. Must not throw synchronously. */
export interface EventTransport {
  publish(routingKey: string, body: Uint8Array, headers: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Sends Celery events for one node. */
export class EventDispatcher {
  private clock = 0;
  private readonly pid = process.pid;
  private readonly utcoffset = -new Date().getTimezoneOffset() / 60;
  private readonly headers: Record<string, unknown>;
  /** Events that could not be published (dropped). */
  dropped = 0;
  /** False after {@link EventDispatcher.disable}: `send` does nothing. */
  enabled = true;

  constructor(
    private readonly transport: EventTransport,
    readonly hostname: string,
    private readonly onDrop: (error: unknown) => void = () => undefined,
  ) {
    this.headers = { hostname };
  }

  /** Send event `type` (`task-received`, `worker-heartbeat`…) with `fields`. Fire and forget. */
  send(type: string, fields: Record<string, unknown>): void {
    if (!this.enabled) return;
    this.clock += 1;
    const event = { hostname: this.hostname, utcoffset: this.utcoffset, pid: this.pid, clock: this.clock, ...fields, timestamp: Date.now() / 1000, type };
    let body: Uint8Array;
    try {
      body = Buffer.from(JSON.stringify(event), 'utf8');
    } catch (error) {
      this.drop(error);
      return;
    }
    this.transport.publish(type.replace(/-/g, '.'), body, this.headers).catch((error: unknown) => this.drop(error));
  }

  /** Stop sending (Celery's `disable_events`). */
  disable(): void {
    this.enabled = false;
  }

  /** Send again (Celery's `enable_events`). */
  enable(): void {
    this.enabled = true;
  }

  /** Close the transport. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private drop(error: unknown): void {
    this.dropped += 1;
    this.onDrop(error);
  }
}
