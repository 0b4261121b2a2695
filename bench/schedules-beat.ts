/**
 * One beat process of the schedules bench (bench/schedules.ts): fires the schedules on `<url>`
 * until SIGTERM, then prints `{"claims": n, "cpuMs": m}` (its own CPU time since it was ready, start-up excluded) and exits.
 * @module
 */
import { Celeriac } from '../src/index.js';

const [url, name] = process.argv.slice(2);
if (!url || !name) throw new Error('usage: schedules-beat.ts <redis-url> <name>');
const app = new Celeriac({ broker: url, backend: url, logLevel: 'warn' });
let claims = 0;
await app.connect(); // load and connect the Redis adapters before measuring
await app.schedules.list();
await app.sendTask('bench.warmup', [], {}, { queue: 'bench.warmup' });
const beat = await app.beat({ name, beforeFire: () => void (claims += 1) }).start();
const atReady = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await beat.stop();
    const cpu = process.cpuUsage(atReady);
    await app.close();
    process.stdout.write(`${JSON.stringify({ claims, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
    process.exit(0);
  })();
});
