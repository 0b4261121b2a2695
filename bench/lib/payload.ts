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

/**
 * A task message for the result-storing ceiling: a kombu-style JSON envelope (base64 JSON body,
 * headers with the task id, properties with the correlation id) padded to {@link RAW_PAYLOAD_BYTES},
 * built by string concatenation around the id as a tuned producer would.
 */
export function taskPayloadFactory(): (id: string) => string {
  const body = Buffer.from(JSON.stringify([[], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])).toString('base64');
  const make = (id: string, pad: string) =>
    `{"body":"${body}","content-encoding":"utf-8","content-type":"application/json","headers":{"lang":"js","task":"noop","id":"${id}","root_id":"${id}"},` +
    `"properties":{"correlation_id":"${id}","delivery_mode":2,"delivery_tag":"${id}","pad":"${pad}"}}`;
  const sample = make('00000000-0000-0000-0000-000000000000', '');
  const pad = 'x'.repeat(Math.max(0, RAW_PAYLOAD_BYTES - sample.length));
  return (id) => make(id, pad);
}
