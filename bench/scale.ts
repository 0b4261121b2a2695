/**
 * `npm run bench:scale`: celeriac and BullMQ side by side on Redis at growing sizes (W1 end to end,
 * group + join, chord, chain in both of celeriac's `continuations` modes), to show which costs stay
 * linear. Prints a Markdown table and writes `scale.md` and `scale.json` (default `bench/results/`).
 * Options: `--quick` (small sizes, about a minute), `--out DIR`. See bench/README.md.
 *
 * Like `npm run bench`, it compiles src/ and bench/ to JS first and re-runs itself from there.
 * @module
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, relaunchCompiled, runningCompiled } from './lib/build.js';
import { flushBenchDbs } from './lib/cleanup.js';
import { checkRedis, machine } from './lib/preflight.js';
import { BullmqScale } from './scale/bullmq.js';
import { CeleriacScale } from './scale/celeriac.js';
import { scaleCases, scaleSizes, type ScaleCase } from './scale/plan.js';
import { scaleTable, scaleTargets, type ScaleRow } from './scale/report.js';
import type { Measured, ScaleDriver } from './scale/types.js';

const USAGE = `Usage: npm run bench:scale -- [options]

  --quick      small sizes (W1 and group 1,000/3,000/6,000, chord 1,000/3,000, chains 100/300/1,000): about a minute
  --out DIR    where scale.md and scale.json go (default bench/results)
  --help       this text

Environment: BENCH_REDIS_PORT (a private redis-server), BENCH_NODE_ARGS, BENCH_SKIP_BUILD=1, BENCH_TSX=1 (as npm run bench).`;

const BULLMQ_VERSION = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function loads(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' / ');
}

function label(c: ScaleCase): string {
  if (c.system === 'bullmq') return c.workload === 'chain' ? `BullMQ ${BULLMQ_VERSION} (nested flow)` : `BullMQ ${BULLMQ_VERSION}`;
  return c.mode ? `celeriac (${c.mode})` : 'celeriac';
}

function runCase(driver: ScaleDriver, c: ScaleCase) {
  switch (c.workload) {
    case 'W1 end-to-end':
      return driver.w1(c.size);
    case 'group + join':
      return driver.group(c.size);
    case 'chord':
      return driver.chord(c.size);
    case 'chain':
      return repeated(runsOf(c), () => driver.chain(c.size, c.mode ?? 'inline', c.timeoutMs));
  }
}

/** Hops a chain row measures at least: short chains run several times, one after the other, so /proc's 10 ms CPU ticks stay small against the row. */
const MIN_CHAIN_HOPS = 2_000;

function runsOf(c: ScaleCase): number {
  return c.workload === 'chain' ? Math.max(1, Math.ceil(MIN_CHAIN_HOPS / c.size)) : 1;
}

async function repeated(runs: number, once: () => Promise<Measured>): Promise<Measured> {
  const total: Measured = { ms: 0, workerCpuMs: 0 };
  for (let i = 0; i < runs; i += 1) {
    const { ms, workerCpuMs } = await once();
    total.ms += ms;
    total.workerCpuMs += workerCpuMs;
  }
  return total;
}

/** A small untimed round of every workload (connections, subscriptions, JIT), so the smallest size is not charged for them. */
async function warmUp(driver: ScaleDriver): Promise<void> {
  await driver.w1(1_000);
  await driver.group(1_000);
  await driver.chord(500);
  await driver.chain(50, 'inline', 60_000);
  await driver.chain(50, 'reference', 60_000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quick = values.quick ?? false;
  const outDir = values.out ?? join(REPO_ROOT, 'bench', 'results');
  const environment = machine();
  const redis = await checkRedis();
  environment['Redis'] = redis.version;
  environment['BullMQ'] = BULLMQ_VERSION;
  const loadStart = loads();
  const started = Date.now();
  await flushBenchDbs();

  const drivers = { celeriac: new CeleriacScale(), bullmq: new BullmqScale() };
  const rows: ScaleRow[] = [];
  try {
    for (const [name, driver] of Object.entries(drivers)) {
      process.stderr.write(`starting ${name} worker, warming up\n`);
      await driver.start();
      await warmUp(driver);
    }
    for (const c of scaleCases(scaleSizes(quick))) {
      const base = { workload: c.workload, system: label(c), isBullmq: c.system === 'bullmq', size: c.size, unit: c.workload === 'chain' ? ('hop' as const) : ('task' as const) };
      if (c.skip) {
        rows.push({ ...base, note: c.skip });
        continue;
      }
      process.stderr.write(`${c.workload} · ${c.size.toLocaleString('en-US')} · ${base.system} … `);
      try {
        const { ms, workerCpuMs } = await runCase(drivers[c.system], c);
        const runs = runsOf(c);
        const items = c.size * runs;
        rows.push({
          ...base,
          totalMs: ms,
          perItemMs: ms / items,
          cpuPerItemUs: (workerCpuMs * 1000) / items,
          load: loadavg()[0]!,
          ...(runs > 1 ? { note: `${runs} chains one after the other; total is all of them` } : {}),
        });
        process.stderr.write(`${(ms / 1000).toFixed(1)} s\n`);
      } catch (error) {
        const why = /time|within/i.test(message(error)) ? `did not finish within ${c.timeoutMs / 1000} s (${message(error)})` : `failed: ${message(error)}`;
        rows.push({ ...base, note: why });
        process.stderr.write(`${why}\n`);
      }
    }
  } finally {
    for (const driver of Object.values(drivers)) await driver.close().catch((e: unknown) => process.stderr.write(`close: ${message(e)}\n`));
    await flushBenchDbs();
  }
  const loadEnd = loads();
  environment['load avg (1/5/15 min) start → end'] = `${loadStart} → ${loadEnd}`;

  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const env = Object.entries(environment).map(([k, v]) => `${k} ${v}`).join(' · ');
  const markdown = [
    `# celeriac scale run, ${date}${quick ? ' (--quick)' : ''}`,
    '',
    `${env}. Took ${((Date.now() - started) / 1000).toFixed(0)} s. One worker child per system (concurrency 50), producer in the runner, both on Redis. ` +
      'Per item = total ÷ tasks (W1, group, chord) or ÷ steps (chain); worker CPU from the worker child\'s /proc counters over the row. ' +
      '"linear?" = per-item time at this size ÷ at the smallest size of the same system (1.0× = linear; above 1 = grows faster than linear). ' +
      'celeriac ÷ BullMQ below 1 is better for celeriac. Single runs: on a busy 2-core machine expect ±20% noise.',
    '',
    ...scaleTable(rows),
    '',
    '### Targets (issue 16)',
    '',
    ...scaleTargets(rows),
    '',
  ].join('\n');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'scale.md'), markdown);
  const json = { date, options: { quick, outDir: relative(REPO_ROOT, outDir) || '.' }, environment, load: { start: loadStart, end: loadEnd }, rows };
  writeFileSync(join(outDir, 'scale.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`${markdown}\nwritten: ${join(outDir, 'scale.{md,json}')}\n`);
}

const entry = runningCompiled() || process.env['BENCH_TSX'] === '1' ? main().then(() => 0) : relaunchCompiled(join('bench', 'scale.js'));
entry.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:scale failed: ${message(error)}\n`);
    process.exit(1);
  },
);
