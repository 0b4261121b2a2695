/**
 * Hide passwords in URLs before they reach a terminal or a log: `redis://:s3cret@h/0` →
 * `redis://:****@h/0`, `amqp://guest:guest@h//` → `amqp://guest:****@h//`. Works on any text that
 * contains URLs (error messages too).
 * @module
 */

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^:/@\s]*):([^@/\s]*)@/gi;

/** `text` with the password of every URL in it replaced by `****`. */
export function maskUrl(text: string): string {
  return text.replace(USERINFO, (_, scheme: string, user: string) => `${scheme}${user}:****@`);
}
