/**
 * The join rule (WORKFLOWS.md §W4, §W6): given how a node's parents settled, does it wait, run, get
 * skipped (every parent skipped: an unchosen branch) or get canceled (a parent it needed failed)?
 * Pure.
 * @module
 */
import type { JoinPolicy } from '../definition/spec.js';
import type { JoinCounts } from '../store/store.js';

/** What happens to a node next. */
export type JoinDecision = 'wait' | 'run' | 'skip' | 'cancel';

/** Decide for a node with `parents` parents under `policy`, from its join counts. */
export function decideJoin(policy: JoinPolicy, parents: number, counts: JoinCounts): JoinDecision {
  if (parents === 0) return 'run';
  const failed = counts.settled - counts.ok - counts.skipped;
  const allSettled = counts.settled >= parents;
  switch (policy) {
    case 'all-success':
      if (failed > 0) return 'cancel';
      if (!allSettled) return 'wait';
      return counts.skipped === parents ? 'skip' : 'run';
    case 'all-done':
      if (!allSettled) return 'wait';
      return counts.skipped === parents ? 'skip' : 'run';
    case 'any-success':
      if (counts.ok > 0) return 'run';
      if (!allSettled) return 'wait';
      return counts.skipped === parents ? 'skip' : 'cancel';
  }
}
