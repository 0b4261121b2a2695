/**
 * The message the raw transport loops move: a kombu-style JSON envelope the size of a Celery
 * no-op task message, so the ceiling moves as many bytes per task as the systems do.
 * @module
 */

/** About the size of a celeriac / Celery `noop()` message envelope on Redis. */
export const RAW_PAYLOAD_BYTES = 900;

/** A JSON envelope padded to {@link RAW_PAYLOAD_BYTES}. */
export function rawPayload(): string {
  const base = { body: 'W1tdLCB7fSwgeyJjYWxsYmFja3MiOiBudWxsfV0=', 'content-encoding': 'utf-8', 'content-type': 'application/json', headers: { task: 'noop' }, properties: { pad: '' } };
  const size = JSON.stringify(base).length;
  base.properties.pad = 'x'.repeat(Math.max(0, RAW_PAYLOAD_BYTES - size));
  return JSON.stringify(base);
}
