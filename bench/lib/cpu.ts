/**
 * CPU time of processes, from /proc: who pays for a task? The end-to-end phase of W1 reports CPU
 * per task for the producer, the worker and the broker server (redis-server, or RabbitMQ's
 * beam.smp), because on a small machine they share the cores and the sum bounds throughput.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Transport } from './config.js';

/** Linux clock ticks per second (`getconf CLK_TCK`), for /proc/<pid>/stat times. */
const CLOCK_TICKS = 100;

/** utime + stime of a process in ms, from /proc/<pid>/stat (0 when it is gone). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** This process's CPU time in ms (user + system). */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The pid of the first process whose command name is `comm` (e.g. `beam.smp`), or undefined. */
export function findProcess(comm: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

const serverPids = new Map<Transport, number>();

/** Remember the broker server's pid for a transport (found by the preflight). */
export function setServerPid(transport: Transport, pid: number | undefined): void {
  if (pid !== undefined) serverPids.set(transport, pid);
}

/** CPU ms used so far by the broker server of a transport, or undefined when unknown. */
export function serverCpuMs(transport: Transport): number | undefined {
  const pid = serverPids.get(transport);
  return pid === undefined ? undefined : processCpuMs(pid);
}

/** Readings taken at the start of a phase. */
export interface CpuMark {
  producer: number;
  worker: number | undefined;
  server: number | undefined;
}

/** Read the producer, worker and server CPU counters now. */
export function markCpu(transport: Transport, producer: () => number, worker: (() => number) | undefined): CpuMark {
  return { producer: producer(), worker: worker?.(), server: serverCpuMs(transport) };
}

/** CPU per task (µs) of each party since `mark`, as W1 end-to-end metrics. */
export function cpuPerTask(
  transport: Transport,
  mark: CpuMark,
  n: number,
  producer: () => number,
  worker: (() => number) | undefined,
): { e2e_cpu_producer: number; e2e_cpu_worker?: number; e2e_cpu_server?: number; e2e_cpu_total: number } {
  const perTask = (ms: number) => (ms * 1000) / n;
  const server = serverCpuMs(transport);
  const parts = {
    e2e_cpu_producer: perTask(producer() - mark.producer),
    ...(worker && mark.worker !== undefined ? { e2e_cpu_worker: perTask(worker() - mark.worker) } : {}),
    ...(server !== undefined && mark.server !== undefined ? { e2e_cpu_server: perTask(server - mark.server) } : {}),
  };
  // The total is what was measured: for the transport-only raw loop the worker is the producer's process.
  return { ...parts, e2e_cpu_total: parts.e2e_cpu_producer + (parts.e2e_cpu_worker ?? 0) + (parts.e2e_cpu_server ?? 0) };
}
