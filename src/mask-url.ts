/**
 * Hide passwords in URLs before they reach a terminal or a log: `redis://:s3cret@h/0` →
 * `redis://:****@h/0`, `amqp://guest:guest@h//` → `amqp://guest:****@h//`. Works on any text that
 * contains URLs (error messages too).
 * @module
 */

import { redactUrl } from './errors.js';

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi;

/** `text` with the password of every URL in it masked (an unencoded `@` in a password included). */
export function maskUrl(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
