/**
 * Walking parent links without recursion: a chain of 10,000 steps has a result handle (or result
 * node, or result tuple) 10,000 parents deep, which recursive builders overflowed.
 * @module
 */

/** `start` and its ancestors, oldest first (`parentOf` returns the next one up, or a falsy value at the top). */
export function oldestFirst<T>(start: T, parentOf: (item: T) => T | null | undefined): T[] {
  const lineage: T[] = [];
  for (let item: T | null | undefined = start; item; item = parentOf(item)) lineage.push(item);
  return lineage.reverse();
}
