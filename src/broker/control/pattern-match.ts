/**
 * Node-name patterns of remote-control requests (`glob`, `pcre`), matched under a time bound. A
 * pattern comes from any client on the broker, and a backtracking one (`(.|.|.)*Z`) would block
 * the worker's event loop for minutes (ReDoS); remote control is on by default. Each match runs in
 * a separate V8 context with a timeout, so a pathological pattern costs at most
 * {@link PATTERN_TIMEOUT_MS} and simply does not match; patterns longer than
 * {@link MAX_PATTERN_LENGTH} do not match either.
 * @module
 */
import { createContext, Script } from 'node:vm';

/** The longest time one match may take. */
export const PATTERN_TIMEOUT_MS = 50;
/** The longest pattern source accepted. */
export const MAX_PATTERN_LENGTH = 1_000;

const script = new Script('new RegExp(source, flags).test(subject)');
let context: ReturnType<typeof createContext> | undefined;

/**
 * True when `subject` matches the regular expression `source` (with `flags`) within the time bound;
 * false when it does not, when the source is invalid or too long, or when the match timed out.
 */
export function boundedMatch(source: string, flags: string, subject: string): boolean {
  if (source.length > MAX_PATTERN_LENGTH) return false;
  context ??= createContext({});
  context['source'] = source;
  context['flags'] = flags;
  context['subject'] = subject;
  try {
    return script.runInContext(context, { timeout: PATTERN_TIMEOUT_MS }) === true;
  } catch {
    return false; // invalid pattern, or timed out
  }
}
