/**
 * Finds the Python interpreter of the Celery peer (Debian's python3-celery 5.2.6 and its
 * companions) at run time, never by a hard-coded path: the interpreter named by an override
 * variable when one is set, otherwise each `python3` on `PATH` in order (a pyenv or virtualenv
 * `python3` that lacks Celery is passed over). Used by the tests, the benchmark and
 * `scripts/provision.ts`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Celery version the wire captures and the interop tests are made with. */
export const CELERY_PEER_VERSION = '5.2.6';
/** The Debian packages of the Python peer. */
export const CELERY_PEER_PACKAGES = ['python3-celery', 'python3-redis', 'python3-amqp', 'python3-msgpack'] as const;
/** The command that installs them (as root). */
export const CELERY_PEER_INSTALL = `apt-get install -y ${CELERY_PEER_PACKAGES.join(' ')}`;

const PROBE = 'import celery, kombu, amqp, redis, msgpack; print(celery.__version__)';

/** An interpreter that imports the peer's modules, and the Celery version it has. */
export interface CeleryPython {
  readonly executable: string;
  readonly celeryVersion: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The interpreters to try, in order: `override` alone when set, else every distinct `python3` on `path`. */
export function pythonCandidates(override: string | undefined, path = process.env['PATH'] ?? ''): string[] {
  if (override) return [override];
  const seen = new Set<string>();
  const found: string[] = [];
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'python3');
    if (!executable(candidate)) continue;
    const real = realpathSync(candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(candidate);
  }
  return found;
}

/** The Celery version `python` reports when it imports celery, kombu, amqp, redis and msgpack; else undefined. */
export function probeCeleryPython(python: string): string | undefined {
  const result = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

const memo = new Map<string, CeleryPython | null>();

/** Forgets what {@link findCeleryPython} found (after packages were installed). */
export function forgetCeleryPython(): void {
  memo.clear();
}

/**
 * The first candidate (see {@link pythonCandidates}) with Celery {@link CELERY_PEER_VERSION}, else
 * the first with any Celery; undefined when none imports the peer's modules. Memoized per override.
 */
export function findCeleryPython(override: string | undefined): CeleryPython | undefined {
  const key = override ?? '';
  const known = memo.get(key);
  if (known !== undefined) return known ?? undefined;
  let fallback: CeleryPython | undefined;
  let chosen: CeleryPython | undefined;
  for (const candidate of pythonCandidates(override)) {
    const celeryVersion = probeCeleryPython(candidate);
    if (celeryVersion === undefined) continue;
    if (celeryVersion === CELERY_PEER_VERSION) {
      chosen = { executable: candidate, celeryVersion };
      break;
    }
    fallback ??= { executable: candidate, celeryVersion };
  }
  const result = chosen ?? fallback;
  memo.set(key, result ?? null);
  return result;
}

/**
 * The peer's interpreter (override variable `variable`, default `CELERIAC_INTEROP_PYTHON`), or a
 * thrown error that says how to install it.
 */
export function requireCeleryPython(variable = 'CELERIAC_INTEROP_PYTHON'): string {
  const override = process.env[variable];
  const found = findCeleryPython(override);
  if (found) return found.executable;
  const where = override ? `${variable}=${override}` : 'any python3 on PATH';
  throw new Error(
    `Python Celery ${CELERY_PEER_VERSION} (celery, kombu, amqp, redis, msgpack) is not importable by ${where}. ` +
      `Install it with \`${CELERY_PEER_INSTALL}\` (as root), or run \`npm test\`, which installs it when it can; ` +
      `${variable} names another interpreter.`,
  );
}
