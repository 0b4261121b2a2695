/**
 * `celeriac dead list | show <n> | replay | purge -Q <queue>`: the dead letters of a queue (messages
 * the worker could not or would not run, each with its reason). `list` prints one line per letter
 * (index, reason, `[truncated]` when the broker kept only its start); `show <n>` prints one as
 * JSON; `replay` puts them back on their queue (oldest first, `--limit`); `purge` deletes them.
 * @module
 */
import { ConfigError } from '../errors.js';
import { loadApp, type AppFlags } from './load-app.js';

/** Flags of `celeriac dead`. */
export interface DeadFlags extends AppFlags {
  queue?: string;
  limit?: string;
}

const ACTIONS = ['list', 'show', 'replay', 'purge'] as const;
type DeadAction = (typeof ACTIONS)[number];

function isAction(value: string): value is DeadAction {
  return (ACTIONS as readonly string[]).includes(value);
}

/** A reason on one line, at most 200 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** `celeriac dead <action> [index]`; returns the exit code. */
export async function deadCommand(action: string, index: string | undefined, flags: DeadFlags): Promise<number> {
  if (!isAction(action)) throw new ConfigError(`unknown action '${action}': use one of ${ACTIONS.join(', ')}`);
  const app = await loadApp(flags);
  const queue = flags.queue ?? 'celery';
  try {
    const { broker } = await app.connect();
    if (action === 'purge') {
      process.stdout.write(`purged ${await broker.purgeDeadLetters(queue)} dead letter(s) of ${queue}\n`);
      return 0;
    }
    if (action === 'replay') {
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new ConfigError(`--limit must be a positive integer, got ${flags.limit}`);
      process.stdout.write(`replayed ${await broker.replayDeadLetters(queue, limit)} dead letter(s) onto ${queue}\n`);
      return 0;
    }
    const letters = await broker.deadLetters(queue);
    if (action === 'list') {
      letters.forEach((letter, i) => process.stdout.write(`${i}\t${oneLine(letter.reason)}${letter.truncated ? '\t[truncated]' : ''}\n`));
      process.stdout.write(`${letters.length} dead letter(s) in ${queue}\n`);
      return 0;
    }
    const position = Number(index);
    const letter = Number.isInteger(position) ? letters[position] : undefined;
    if (!letter) throw new ConfigError(`no dead letter #${index ?? '?'} in ${queue} (${letters.length} there; see celeriac dead list)`);
    process.stdout.write(`${JSON.stringify({ index: position, ...letter }, null, 2)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}
