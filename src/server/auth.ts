/**
 * Authentication of `celeriac serve`: HTTP basic auth against scrypt-hashed passwords, or bearer
 * tokens. Credentials come from options, a users file, or the environment; passwords are never
 * stored or logged in clear.
 *
 * Password hash format (see {@link hashPassword}): `scrypt$<N>$<r>$<p>$<salt b64>$<key b64>`.
 * @module
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** Credentials the server accepts. */
export interface AuthOptions {
  /** User name → password hash from {@link hashPassword}. */
  users?: Readonly<Record<string, string>>;
  /** A file of `user:hash` lines (`#` comments and blank lines ignored). */
  usersFile?: string;
  /** Bearer tokens accepted in `Authorization: Bearer <token>`. */
  tokens?: readonly string[];
}

/** Resolved credentials: user hashes and sha256 digests of the tokens. */
export interface Credentials {
  readonly users: ReadonlyMap<string, string>;
  readonly tokenDigests: readonly Buffer[];
}

const KEY_LENGTH = 32;
const DEFAULTS = { N: 16_384, r: 8, p: 1 };

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Hash a password for {@link AuthOptions.users} / a users file (scrypt, random salt). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, DEFAULTS);
  return `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Parse a stored hash; throws {@link ConfigError} when it is not one of {@link hashPassword}'s. */
function parseHash(user: string, stored: string): { options: ScryptOptions; salt: Buffer; key: Buffer } {
  const parts = stored.split('$');
  const [kind, n, r, p, salt, key] = parts;
  if (parts.length !== 6 || kind !== 'scrypt' || !n || !r || !p || !salt || !key) {
    throw new ConfigError(`the password of user '${user}' is not a scrypt hash (make one with: celeriac serve --hash-password)`);
  }
  return { options: { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * Number(n) * Number(r) }, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** True when `password` matches `stored` (constant-time comparison). */
export async function verifyPassword(password: string, stored: string, user = '?'): Promise<boolean> {
  const { options, salt, key } = parseHash(user, stored);
  const candidate = await scryptAsync(password, salt, options);
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

/** Parse `user:hash` lines. */
export function parseUsers(text: string, source: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ConfigError(`${source}:${index + 1}: expected 'user:hash'`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    parseHash(user, hash);
    users.set(user, hash);
  }
  return users;
}

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * Gather credentials from options and the environment: `CELERIAC_SERVE_USERS_FILE` (a users file),
 * `CELERIAC_SERVE_USERS` (`user:hash` entries separated by commas or newlines) and
 * `CELERIAC_SERVE_TOKENS` (comma-separated tokens).
 */
export function loadCredentials(options: AuthOptions = {}, env: NodeJS.ProcessEnv = process.env): Credentials {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(options.users ?? {})) {
    parseHash(user, hash);
    users.set(user, hash);
  }
  const files = [options.usersFile, env['CELERIAC_SERVE_USERS_FILE']].filter((f): f is string => !!f);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read users file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    for (const [user, hash] of parseUsers(text, file)) users.set(user, hash);
  }
  const fromEnv = env['CELERIAC_SERVE_USERS'];
  if (fromEnv) for (const [user, hash] of parseUsers(fromEnv.replaceAll(',', '\n'), 'CELERIAC_SERVE_USERS')) users.set(user, hash);
  const tokens = [...(options.tokens ?? []), ...(env['CELERIAC_SERVE_TOKENS']?.split(',') ?? [])].map((t) => t.trim()).filter(Boolean);
  return { users, tokenDigests: tokens.map(digest) };
}

/** True when there is at least one user or token. */
export function hasCredentials(credentials: Credentials): boolean {
  return credentials.users.size > 0 || credentials.tokenDigests.length > 0;
}

/** Checks `Authorization` headers; remembers recent successful basic logins so scrypt runs once per client. */
export class Authenticator {
  private readonly verified = new Map<string, string>();

  constructor(private readonly credentials: Credentials) {}

  /** The user (or `token`) the header authenticates, or undefined. */
  async check(header: string | undefined): Promise<string | undefined> {
    if (!header) return undefined;
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (space <= 0 || !value) return undefined;
    if (scheme === 'bearer') {
      const candidate = digest(value);
      return this.credentials.tokenDigests.some((d) => timingSafeEqual(d, candidate)) ? 'token' : undefined;
    }
    if (scheme !== 'basic') return undefined;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const stored = this.credentials.users.get(user);
    if (stored === undefined) return undefined;
    const cacheKey = digest(`${stored}\0${decoded}`).toString('base64');
    if (this.verified.get(cacheKey) === user) return user;
    if (!(await verifyPassword(decoded.slice(colon + 1), stored, user))) return undefined;
    if (this.verified.size >= 1_000) this.verified.clear();
    this.verified.set(cacheKey, user);
    return user;
  }
}
