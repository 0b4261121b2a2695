/**
 * The broker's Lua scripts (`src/broker/lua/*.lua`, each documenting its KEYS, ARGV and return
 * value), read relative to this module at runtime and registered on an ioredis client. ioredis sends
 * EVALSHA and falls back to EVAL per socket, so scripts survive a Redis restart.
 *
 * The build must copy `src/broker/lua/*.lua` to `dist/broker/lua/` (tsc does not copy them).
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The broker's scripts, by file name without `.lua`. */
export const BROKER_SCRIPTS = ['pop', 'pushPop', 'settle', 'due', 'restore', 'refresh', 'promote', 'unlock', 'replay'] as const;

/** Scripts made of several files, run as one (see `lua/push.lua`). */
const COMPOSED: Partial<Record<BrokerScriptName, readonly string[]>> = { pushPop: ['push', 'pop'] };

/** A broker script name. */
export type BrokerScriptName = (typeof BROKER_SCRIPTS)[number];

/** A value passed to a script: keys and arguments are strings or numbers. */
export type ScriptArg = string | number;

type ScriptMethod = (...args: ScriptArg[]) => Promise<unknown>;

const cache = new Map<string, string>();

/** The source of `lua/<name>.lua`, next to this module's parent folder. */
export function luaSource(name: string): string {
  let source = cache.get(name);
  if (source === undefined) {
    source = readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');
    cache.set(name, source);
  }
  return source;
}

/** The command name a script is registered under (namespaced so it clashes with nothing). */
function commandName(name: BrokerScriptName): string {
  return `celeriacBroker_${name}`;
}

/** Register every broker script on `client` (once per client). */
export function defineBrokerScripts(client: Redis): void {
  for (const name of BROKER_SCRIPTS) {
    if (typeof (client as unknown as Record<string, unknown>)[commandName(name)] === 'function') continue;
    const lua = (COMPOSED[name] ?? [name]).map(luaSource).join('\n');
    client.defineCommand(commandName(name), { lua });
  }
}

/** Run a script on a client (its reply, as ioredis decodes it: strings, numbers, arrays, null). */
export function runScript(client: Redis, name: BrokerScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  const method = (client as unknown as Record<string, ScriptMethod>)[commandName(name)];
  if (!method) throw new Error(`Broker script ${name} is not defined on this client`);
  return method.call(client, keys.length, ...keys, ...args);
}
