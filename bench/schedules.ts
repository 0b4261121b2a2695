/**
 * Schedules bench: N schedules (default 1,000) firing every second for S seconds (default 60; 10
 * with --quick) with B beat processes (default 3) on Redis. Reports fires per due time (must be
 * exactly 1: counted from the task messages in the queue), due times lost, lateness (fired − due)
 * p50/p99 and beat CPU per fire. Writes bench/results/schedules.{md,json}.
 *
 *   npx tsx bench/schedules.ts [--quick] [--schedules N] [--seconds S] [--beats B] [--redis-url URL]
 *
 * The default URL is redis://127.0.0.1:6379/13 (a bench DB); the DB of the URL is flushed before and after.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { Celeriac } from '../src/index.js';
import { fireId } from '../src/schedule/fire-id.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
};
const SCHEDULES = Number(value('schedules', '1000'));
const SECONDS = Number(value('seconds', flag('quick') ? '10' : '60'));
const BEATS = Number(value('beats', '3'));
const URL = value('redis-url', process.env['CELERIAC_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/13');
const QUEUE = 'bench.schedules';

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function startBeat(name: string): { child: ChildProcess; ready: Promise<void>; report: Promise<{ claims: number; cpuMs: number }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new globalThis.URL('./schedules-beat.ts', import.meta.url).pathname, URL, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => undefined;
  let onReport: (r: { claims: number; cpuMs: number }) => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const report = new Promise<{ claims: number; cpuMs: number }>((resolve) => (onReport = resolve));
  lines.on('line', (line) => {
    const event = JSON.parse(line) as { ready?: boolean; claims?: number; cpuMs?: number };
    if (event.ready) onReady();
    else if (event.claims !== undefined) onReport({ claims: event.claims, cpuMs: event.cpuMs ?? 0 });
  });
  return { child, ready, report };
}

const redis = new Redis(URL);
await redis.flushdb();
const app = new Celeriac({ broker: URL, backend: URL, logLevel: 'warn' });
console.log(`${SCHEDULES} schedules every second, ${SECONDS} s, ${BEATS} beat processes, ${URL}`);
const beats = Array.from({ length: BEATS }, (_, i) => startBeat(`bench-beat-${i}`));
await Promise.all(beats.map((b) => b.ready));
const adding = Date.now();
const specs = Array.from({ length: SCHEDULES }, (_, i) => i);
let first = 0;
let last = 0;
const add = async (i: number) => app.schedules.add(`bench-${i}`, { task: 'bench.noop', every: 1, catchUp: 'all', queue: QUEUE, startAt: first, endAt: last, history: SECONDS + 5 });
first = (Math.floor(Date.now() / 1000) + 5 + Math.ceil(SCHEDULES / 50)) * 1000;
last = first + (SECONDS - 1) * 1000;
for (let at = 0; at < specs.length; at += 100) await Promise.all(specs.slice(at, at + 100).map(add));
if (Date.now() >= first) {
  for (const b of beats) b.child.kill('SIGTERM');
  throw new Error(`adding the schedules took ${Date.now() - adding} ms, past the first due time; the machine is too loaded`);
}
await new Promise((resolve) => setTimeout(resolve, Math.max(0, last - Date.now() + 2_000)));
// Late beats (a loaded machine) catch up with catchUp: 'all': wait until the queue stops growing.
for (let previous = -1, stable = 0; stable < 5 && Date.now() < last + 180_000; ) {
  const now = await redis.llen(QUEUE);
  if (now >= SCHEDULES * SECONDS) break;
  stable = now === previous ? stable + 1 : 0;
  previous = now;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
for (const b of beats) b.child.kill('SIGTERM');
const reports = await Promise.all(beats.map((b) => b.report));

const counts = new Map<string, number>();
const length = await redis.llen(QUEUE);
for (let at = 0; at < length; at += 10_000) {
  for (const raw of await redis.lrange(QUEUE, at, at + 9_999)) {
    const id = (JSON.parse(raw) as { headers: { id: string } }).headers.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
}
let lost = 0;
let duplicated = 0;
let expected = 0;
const perDue = new Map<number, number>();
for (let i = 0; i < SCHEDULES; i += 1) {
  for (let due = first; due <= last; due += 1000) {
    expected += 1;
    const n = counts.get(fireId(`bench-${i}`, due)) ?? 0;
    perDue.set(n, (perDue.get(n) ?? 0) + 1);
    if (n === 0) lost += 1;
    if (n > 1) duplicated += 1;
  }
}
const lateness: number[] = [];
for (let i = 0; i < SCHEDULES; i += 1) {
  for (const f of await app.schedules.fires(`bench-${i}`, SECONDS + 5)) if (f.fired !== null) lateness.push(f.fired - f.due);
}
lateness.sort((a, b) => a - b);
const totalCpu = reports.reduce((sum, r) => sum + r.cpuMs, 0);
const fires = [...counts.values()].reduce((a, b) => a + b, 0);
const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  schedules: SCHEDULES,
  seconds: SECONDS,
  beats: BEATS,
  dueTimes: expected,
  messages: fires,
  firesPerDueTime: Object.fromEntries([...perDue].sort((a, b) => a[0] - b[0]).map(([n, c]) => [String(n), c])),
  lost,
  duplicated,
  latenessMs: { p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness.at(-1) ?? Number.NaN },
  claimsPerBeat: reports.map((r) => r.claims),
  beatCpuMsTotal: Math.round(totalCpu),
  beatCpuMsPerFire: Number((totalCpu / Math.max(fires, 1)).toFixed(3)),
};
const md = [
  `# Schedules bench (${result.date})`,
  '',
  `${SCHEDULES} schedules every second for ${SECONDS} s, ${BEATS} beat processes, Redis; ${result.machine}.`,
  '',
  '| due times | task messages | fires per due time | lost | duplicated | lateness p50 | lateness p99 | beat CPU per fire | claims per beat |',
  '|---|---|---|---|---|---|---|---|---|',
  `| ${expected} | ${fires} | ${Object.entries(result.firesPerDueTime).map(([n, c]) => `${n}× : ${c}`).join(', ')} | ${lost} | ${duplicated} | ${result.latenessMs.p50} ms | ${result.latenessMs.p99} ms | ${result.beatCpuMsPerFire} ms | ${result.claimsPerBeat.join(' / ')} |`,
  '',
].join('\n');
console.log(md);
mkdirSync(new globalThis.URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new globalThis.URL('./results/schedules.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(new globalThis.URL('./results/schedules.md', import.meta.url), md);
await redis.flushdb();
redis.disconnect();
await app.close();
process.exit(duplicated === 0 && lost === 0 ? 0 : 1);
