/**
 * Nesting bounds for values read off the wire. Message headers nested thousands deep are legal
 * JSON and legal AMQP field tables, but every recursive walk over them (JSON.stringify on a retry
 * or requeue, amqplib's parser, a decoder) overflows the stack. Brokers refuse headers nested
 * deeper than a bound (default {@link DEFAULT_MAX_HEADER_DEPTH}) before anything else touches them.
 * @module
 */

/** Default bound on the nesting of objects/arrays inside message headers. */
export const DEFAULT_MAX_HEADER_DEPTH = 64;

/**
 * True when `value` nests objects/arrays more than `maxDepth` levels below itself (the top-level
 * object is level 0). Walked without recursion, so any depth is safe to check.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ item: unknown; depth: number }> = [{ item: value, depth: 0 }];
  while (stack.length > 0) {
    const { item, depth } = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ item: child, depth: depth + 1 });
  }
  return false;
}
