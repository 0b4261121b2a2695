/**
 * The schedule store's Lua scripts (`src/schedule/lua/*.lua`, each documenting KEYS, ARGV and its
 * return value), read relative to this module and registered on an ioredis client (EVALSHA with
 * EVAL fallback, so they survive a Redis restart). The build copies them to `dist/schedule/lua/`.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The schedule scripts, by file name without `.lua`. */
export const SCHEDULE_SCRIPTS = ['put', 'remove', 'claim', 'settle', 'reclaim'] as const;

/** A schedule script name. */
export type ScheduleScriptName = (typeof SCHEDULE_SCRIPTS)[number];

type ScriptMethod = (...args: (string | number)[]) => Promise<unknown>;

const commandName = (name: ScheduleScriptName): string => `celeriacSchedule_${name}`;

/** Register every schedule script on `client`. */
export function defineScheduleScripts(client: Redis): void {
  for (const name of SCHEDULE_SCRIPTS) {
    client.defineCommand(commandName(name), { lua: readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8') });
  }
}

/** Run a schedule script (bulk replies as strings). */
export function runScheduleScript(client: Redis, name: ScheduleScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  const method = (client as unknown as Record<string, ScriptMethod>)[commandName(name)];
  if (!method) throw new Error(`Schedule script ${name} is not defined on this client`);
  return method.call(client, keys.length, ...keys, ...args);
}
