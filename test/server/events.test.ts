/** Server-sent events over a real socket: a run's snapshot and live events, every run's events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server/index.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let running: RunningServer;
beforeAll(async () => {
  fx = await startFixture();
  running = await serve(fx.app, { port: 0, dashboardDir: '/nonexistent' });
});
afterAll(async () => {
  await running.close();
  await fx.close();
});

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Read SSE frames from `url` until `until` returns true for the list so far. */
async function readEvents(url: string, until: (events: SseEvent[]) => boolean, started?: () => Promise<void>): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let kicked = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
      if (!kicked && started && events.length > 0) {
        kicked = true;
        await started();
      }
      if (until(events)) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}

const post = (path: string, body?: unknown) =>
  fetch(`${running.url}${path}`, { method: 'POST', ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });

describe('server-sent events', () => {
  it("a run's stream starts with a snapshot and follows its nodes to the end", async () => {
    const run = (await (await post('/api/workflows', { project: 'example', name: 'SLOW', payload: {} })).json()) as { id: string };
    const events = await readEvents(
      `${running.url}/api/workflows/${run.id}/events`,
      (list) => list.some((e) => e.event === 'run' && e.data['status'] === 'success'),
      async () => {
        await expect.poll(async () => (await fx.app.workflows.get(run.id)).tasks[1]?.status, { timeout: 10_000 }).toBe('progress');
        fx.release();
      },
    );
    expect(events[0]!.event).toBe('snapshot');
    expect(events[0]!.data['id']).toBe(run.id);
    expect((events[0]!.data['tasks'] as unknown[]).length).toBe(3);
    const nodeSuccess = events.filter((e) => e.event === 'node' && e.data['status'] === 'success').map((e) => e.data['node']);
    expect(nodeSuccess).toContain('last');
    expect(events.every((e) => e.event === 'snapshot' || e.data['runId'] === run.id)).toBe(true);
  });

  it('the all-runs stream carries run events of new runs', async () => {
    let id = '';
    const events = await readEvents(
      `${running.url}/api/events`,
      (list) => list.some((e) => e.event === 'run' && e.data['runId'] === id && e.data['status'] === 'success'),
      async () => {
        id = ((await (await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 3 } })).json()) as { id: string }).id;
      },
    );
    expect(events[0]!.event).toBe('ready');
    const mine = events.filter((e) => e.data['runId'] === id).map((e) => e.data['status']);
    expect(mine).toContain('success');
    expect(events.some((e) => e.event === 'node')).toBe(false);
  });
});
