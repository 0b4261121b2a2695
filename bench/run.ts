/**
 * `npm run bench`: runs the workloads on every selected transport and system, interleaved
 * (round → workload → system, so noise hits every system alike), then writes the Markdown table,
 * the SVG chart and the raw samples to `bench/results/latest.{md,svg,json}`. See bench/README.md.
 *
 * Started by tsx (`npm run bench`), it first compiles src/ and bench/ to JS (lib/build.ts) and
 * re-runs itself from there, so celeriac runs as compiled JS, as BullMQ does (`BENCH_TSX=1` skips that).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT, relaunchCompiled, runningCompiled } from './lib/build.js';
import { flushBenchDbs, deleteBenchQueues } from './lib/cleanup.js';
import { findProcess, setServerPid } from './lib/cpu.js';
import type { Transport } from './lib/config.js';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.js';
import { celeriacRedisAvailable, checkAmqp, checkCelery, checkRedis, machine } from './lib/preflight.js';
import { Progress } from './lib/progress.js';
import { BenchResults } from './lib/results.js';
import type { BenchSystem, WorkloadId } from './lib/types.js';
import { renderMarkdown } from './report/markdown.js';
import { renderSvg } from './report/svg.js';
import { caseName, celeriacSizes, celerySizes, sizeCases } from './systems/canvas-size.js';
import { systemsFor } from './systems/index.js';
import { listTimings, workflowBytes } from './systems/workflow-extras.js';

interface Step {
  label: string;
  run: () => Promise<void>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Check services, collect versions. Throws (with how to start them) when a needed one is down. */
async function preflight(options: BenchOptions): Promise<{ environment: Record<string, string>; celery: boolean }> {
  const environment = machine();
  const network = options.transports.some((t) => t !== 'memory');
  if (network || (options.peers && options.workloads.includes('W5'))) {
    const redis = await checkRedis();
    environment['Redis'] = redis.version;
    setServerPid('redis', redis.pid);
  }
  if (options.transports.includes('amqp')) {
    environment['RabbitMQ'] = await checkAmqp();
    setServerPid('amqp', findProcess('beam.smp'));
  }
  let celery = false;
  if (options.peers) {
    const found = await checkCelery();
    if ('version' in found) {
      environment['Celery'] = found.version;
      celery = true;
    } else process.stderr.write(`warning: ${found.error}\n`);
  }
  return { environment, celery };
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parsed;
  const started = Date.now();
  const { environment, celery } = await preflight(options);
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const usesRedis = options.transports.some((t) => t !== 'memory') || (options.peers && options.workloads.includes('W5'));
  if (usesRedis) await flushBenchDbs();

  const results = new BenchResults(options.transports, options.workloads);
  const byTransport = new Map<Transport, BenchSystem[]>();
  for (const transport of options.transports) {
    const { systems: all, unavailable } = systemsFor(transport, options.peers, { celeriacRedis: celeriacRedisAvailable(), celery });
    const systems = all.filter((s) => options.systems.includes(s.id));
    byTransport.set(transport, systems);
    for (const u of unavailable) results.errors.push({ transport, system: u.system, workload: 'W1', round: 0, message: `not run: ${u.reason}` });
    for (const s of systems) results.addParticipant(transport, { id: s.id, label: s.label });
  }

  const steps: Step[] = [];
  const timed = options.workloads.filter((w): w is Exclude<WorkloadId, 'W5'> => w !== 'W5');
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const workload of timed) {
      for (const [transport, systems] of byTransport) {
        for (const system of systems.filter((s) => s.workloads.includes(workload))) {
          steps.push({
            label: `round ${round} · ${workload} · ${transport} · ${system.label}`,
            run: async () => {
              try {
                results.record(transport, system.id, await system.run(workload, options.sizes));
              } catch (error) {
                results.errors.push({ transport, system: system.label, workload, round, message: message(error) });
              }
            },
          });
        }
      }
    }
  }
  if (options.workloads.includes('W5')) steps.push({ label: 'W5 · canvas sizes', run: () => measureSizes(results, options, celery) });
  if (options.workloads.includes('W6')) steps.push({ label: 'W6 · bytes per node, list() pages', run: () => measureWorkflowExtras(results, options) });

  const progress = new Progress(steps.length);
  const closeAll = async () => {
    for (const systems of byTransport.values()) for (const s of systems) await s.close().catch((e: unknown) => progress.log(`close ${s.label}: ${message(e)}`));
  };
  process.once('SIGINT', () => {
    progress.log('interrupted: stopping workers');
    void closeAll().finally(() => process.exit(130));
  });
  for (const step of steps) {
    progress.start(step.label);
    await step.run();
    progress.tick();
  }
  await closeAll();
  if (usesRedis) await flushBenchDbs();
  if (options.transports.includes('amqp')) await deleteBenchQueues();
  progress.finish();
  environment['load avg start → end'] = `${loadAtStart} → ${loadavg()[0]!.toFixed(1)}`;

  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const markdown = renderMarkdown(results, { date, rounds: options.rounds, sizes: options.sizes, environment, durationS: (Date.now() - started) / 1000 });
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'latest.md'), markdown);
  writeFileSync(join(options.outDir, 'latest.svg'), renderSvg(results, `celeriac benchmark, ${date}`));
  // The results folder is recorded relative to the repository (no machine path in a committed file).
  const recorded = { ...options, outDir: relative(REPO_ROOT, options.outDir) || '.' };
  writeFileSync(join(options.outDir, 'latest.json'), `${JSON.stringify({ date, options: recorded, environment, ...results.toJSON() }, null, 2)}\n`);
  process.stdout.write(`${markdown}\nwritten: ${join(options.outDir, 'latest.{md,svg,json}')}\n`);
}

/** W5: celeriac always; Celery when peers are on and it is installed. */
async function measureSizes(results: BenchResults, options: BenchOptions, celery: boolean): Promise<void> {
  const cases = sizeCases(options.quick);
  for (const mode of ['inline', 'reference'] as const) {
    const label = `celeriac (continuations: ${mode})`;
    try {
      results.sizes.push({ system: 'celeriac', label, mode, results: await celeriacSizes(cases.celeriac, mode), skipped: [] });
    } catch (error) {
      results.errors.push({ transport: 'encoding', system: label, workload: 'W5', round: 1, message: message(error) });
    }
  }
  if (!options.peers || !celery) return;
  try {
    const skipped = cases.celerySkipped.map((c) => ({ name: caseName(c), reason: 'Celery 5.2.6 embeds chains of chords exponentially (see the 2 → 3 chord rows)' }));
    results.sizes.push({ system: 'celery', label: 'Celery 5.2.6', results: await celerySizes(cases.celery), skipped });
  } catch (error) {
    results.errors.push({ transport: 'encoding', system: 'Celery', workload: 'W5', round: 1, message: message(error) });
  }
}

/** W6's once-measured figures: bytes per node (memory), list() page times (memory, and Redis when selected). */
async function measureWorkflowExtras(results: BenchResults, options: BenchOptions): Promise<void> {
  const stores = options.transports.includes('redis') || options.transports.includes('amqp') ? (['memory', 'redis'] as const) : (['memory'] as const);
  try {
    const bytes = await workflowBytes();
    const list = [];
    for (const store of stores) list.push(...(await listTimings(store, options.quick)));
    results.workflow = { bytes, list };
  } catch (error) {
    results.errors.push({ transport: 'memory', system: 'celeriac', workload: 'W6', round: 1, message: message(error) });
  }
}

const entry = runningCompiled() || process.env['BENCH_TSX'] === '1' ? main().then(() => 0) : relaunchCompiled(join('bench', 'run.js'));
entry.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${message(error)}\n`);
    process.exit(1);
  },
);
