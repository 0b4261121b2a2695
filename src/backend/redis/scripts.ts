/**
 * The backend's Lua scripts (`src/backend/lua/*.lua`, each documenting KEYS, ARGV and its return
 * value), read relative to this module and registered on an ioredis client (EVALSHA with EVAL
 * fallback per socket, so they survive a Redis restart).
 *
 * The build must copy `src/backend/lua/*.lua` to `dist/backend/lua/` (tsc does not copy them).
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The backend's scripts, by file name without `.lua`. */
export const BACKEND_SCRIPTS = ['store-meta', 'chord-part'] as const;

/** A backend script name. */
export type BackendScriptName = (typeof BACKEND_SCRIPTS)[number];

type ScriptArg = string | number | Buffer;
type ScriptMethod = (...args: ScriptArg[]) => Promise<unknown>;

function commandName(name: BackendScriptName): string {
  return `celeriacBackend_${name.replace('-', '_')}`;
}

/** Register every backend script on `client`. */
export function defineBackendScripts(client: Redis): void {
  for (const name of BACKEND_SCRIPTS) {
    const lua = readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');
    client.defineCommand(commandName(name), { lua });
  }
}

/**
 * Run a script. With `binary`, bulk replies come back as Buffers (msgpack-safe); otherwise as
 * strings. Integers are numbers either way.
 */
export function runBackendScript(
  client: Redis,
  name: BackendScriptName,
  keys: readonly string[],
  args: readonly ScriptArg[],
  binary = false,
): Promise<unknown> {
  const method = (client as unknown as Record<string, ScriptMethod>)[`${commandName(name)}${binary ? 'Buffer' : ''}`];
  if (!method) throw new Error(`Backend script ${name} is not defined on this client`);
  return method.call(client, keys.length, ...keys, ...args);
}
