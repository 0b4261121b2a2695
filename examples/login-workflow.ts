/**
 * New-device login workflow:
 *   check the device → in parallel: notify the user + save the event → post everything to an
 *   external scoring API → post-process its answer.
 * The "external" scoring API is a small HTTP server this example starts on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Celeriac, chain, group } from '../src/index.js';

export interface Login {
  user: string;
  device: string;
  ip: string;
}

/** Start the stand-in scoring API: it scores a login from what the workflow sends. */
export async function startScoringApi(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const [notified, saved] = JSON.parse(body) as [{ device: { known: boolean } }, { eventId: string }];
      const score = notified.device.known ? 0.1 : 0.8;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ eventId: saved.eventId, score }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`, server };
}

/** Register the workflow's tasks on `app`. */
export function loginTasks(app: Celeriac, scoringUrl: string, log: (line: string) => void = () => undefined) {
  const knownDevices = new Set(['laptop-1']);
  const checkDevice = app.task('login.check_device', (login: Login) => {
    const device = { id: login.device, known: knownDevices.has(login.device) };
    log(`check_device: ${login.device} is ${device.known ? 'known' : 'NEW'}`);
    return { login, device };
  });
  const notifyUser = app.task('login.notify_user', (checked: { login: Login; device: { known: boolean } }) => {
    log(`notify_user: mailed ${checked.login.user} about a login from ${checked.login.ip}`);
    return { ...checked, notified: true };
  });
  const saveEvent = app.task('login.save_event', (checked: { login: Login }) => {
    const eventId = `evt-${checked.login.user}-${checked.login.device}`;
    log(`save_event: stored ${eventId}`);
    return { eventId };
  });
  const postToScoring = app.task('login.post_to_scoring', async (results: unknown[]) => {
    const response = await fetch(scoringUrl, { method: 'POST', body: JSON.stringify(results) });
    const answer = (await response.json()) as { eventId: string; score: number };
    log(`post_to_scoring: API answered score ${answer.score} for ${answer.eventId}`);
    return answer;
  });
  const postProcess = app.task('login.post_process', (answer: { eventId: string; score: number }) => {
    const decision = answer.score > 0.5 ? 'challenge' : 'allow';
    log(`post_process: ${decision}`);
    return { ...answer, decision };
  });
  /** The canvas for one login. */
  const workflow = (login: Login) =>
    chain(checkDevice.s(login), group(notifyUser.s(), saveEvent.s()), postToScoring.s(), postProcess.s());
  return { workflow };
}

/** Run the workflow for one login on `app` (a worker must be running). */
export async function runLoginWorkflow(app: Celeriac, login: Login, log: (line: string) => void = () => undefined) {
  const api = await startScoringApi();
  try {
    const { workflow } = loginTasks(app, api.url, log);
    const result = await workflow(login).applyAsync();
    return await result.get({ timeout: 10_000 });
  } finally {
    api.server.close();
  }
}
