/**
 * Command-line options of `npm run bench`.
 * @module
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './build.js';
import { TRANSPORTS, type Transport } from './config.js';
import { SYSTEMS, WORKLOADS, type Sizes, type SystemId, type WorkloadId } from './types.js';

/** What one run covers. */
export interface BenchOptions {
  transports: Transport[];
  workloads: WorkloadId[];
  rounds: number;
  sizes: Sizes;
  peers: boolean;
  /** Systems to run (celeriac included unless filtered out). */
  systems: SystemId[];
  quick: boolean;
  /** Where latest.md / latest.svg / latest.json go. */
  outDir: string;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick                 small sizes, one round (well under a minute)
  --transport T[,T…]      memory, redis, amqp (default: all three)
  --workload W[,W…]       W1..W6 (default: all)
  --n N                   W1 task count (default 10000; --quick 1000)
  --rounds R              rounds, each running every workload on every system (default 3; --quick 1)
  --chain S               W2 chain and W6 linear workflow length (default 100; --quick 50)
  --fanout F              W3 chord header, W4 group and W6 DAG size (default 1000; --quick 200)
  --no-peers              celeriac only (no BullMQ, Celery, raw loops or result-storing ceiling)
  --system S[,S…]         only these systems: celeriac, bullmq, celery, raw, ceiling (default: all)
  --out DIR               results folder (default bench/results)
  --help                  this text`;

function list<T extends string>(values: readonly string[] | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (!values || values.length === 0) return undefined;
  const items = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  const normalized = items.map((item) => (allowed.find((a) => a.toLowerCase() === item.toLowerCase()) ?? item) as T);
  const unknown = normalized.filter((item) => !allowed.includes(item));
  if (unknown.length > 0) throw new Error(`unknown ${what} ${unknown.join(', ')} (use ${allowed.join(', ')})`);
  return [...new Set(normalized)];
}

function positiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${what} must be a positive integer, got '${value}'`);
  return n;
}

/** Parse `argv` (without node and script). Throws with a readable message on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      transport: { type: 'string', multiple: true },
      workload: { type: 'string', multiple: true },
      n: { type: 'string' },
      rounds: { type: 'string' },
      chain: { type: 'string' },
      fanout: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      system: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const n = positiveInt(values.n, 'n') ?? (quick ? 1_000 : 10_000);
  return {
    transports: list(values.transport, TRANSPORTS, 'transport') ?? [...TRANSPORTS],
    workloads: list(values.workload, WORKLOADS, 'workload') ?? [...WORKLOADS],
    rounds: positiveInt(values.rounds, 'rounds') ?? (quick ? 1 : 3),
    sizes: {
      n,
      chainSteps: positiveInt(values.chain, 'chain') ?? (quick ? 50 : 100),
      fanout: positiveInt(values.fanout, 'fanout') ?? (quick ? 200 : 1_000),
    },
    peers: !(values['no-peers'] ?? false),
    systems: list(values.system, SYSTEMS, 'system') ?? [...SYSTEMS],
    quick,
    outDir: values.out ?? join(REPO_ROOT, 'bench', 'results'),
  };
}
