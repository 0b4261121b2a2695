/**
 * `celeriac bench [options]`: run the transport benchmarks (bench/run.ts) of a celeriac checkout in
 * the current directory, forwarding every option (`--quick`, `--transport`, `--workload`, `--n`, …).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { run } from '../run.js';

/** Run bench/run.ts with `args`; its exit code is ours. */
export async function benchCommand(args: readonly string[]): Promise<number> {
  const runner = resolve(process.cwd(), 'bench/run.ts');
  if (!existsSync(runner)) {
    throw new ConfigError('celeriac bench runs from a celeriac checkout (bench/run.ts not found here); clone the repository, npm ci, then celeriac bench');
  }
  const tsx = resolve(process.cwd(), 'node_modules/.bin/tsx');
  const child = spawn(existsSync(tsx) ? tsx : 'npx', existsSync(tsx) ? [runner, ...args] : ['tsx', runner, ...args], { stdio: 'inherit' });
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}

/** Add `bench` to the program. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmark transports side by side with BullMQ, Celery and raw clients (in a celeriac checkout; --help for options)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[options...]', 'options for bench/run.ts, e.g. --quick --transport redis --workload W1')
    .action(async (args: string[]) => run({}, () => benchCommand(args)));
}
