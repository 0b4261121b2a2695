/**
 * `decision` nodes (WORKFLOWS.md §W6): an ordinary task whose return value names a branch. A value
 * that names none fails the node (`UnknownBranchError`); once it succeeded, the targets of the other
 * branches are skipped, and the join rule skips everything only they lead to.
 * @module
 */
import type { GraphNode } from '../../definition/spec.js';
import type { NodeOutcome } from '../../store/store.js';
import { nodeError } from './shared.js';

/** Turn a decision's success naming no branch into its failure. Other outcomes pass unchanged. */
export function checkDecision(node: GraphNode | undefined, outcome: NodeOutcome): NodeOutcome {
  if (node?.type !== 'decision' || outcome.status !== 'success') return outcome;
  const branches = Object.keys(node.branches ?? {});
  if (typeof outcome.result === 'string' && branches.includes(outcome.result)) return outcome;
  const got = JSON.stringify(outcome.result) ?? 'nothing';
  const { result: _dropped, ...rest } = outcome;
  return { ...rest, status: 'error', error: nodeError('UnknownBranchError', `decision '${node.key}' returned ${got}, which names none of its branches (${branches.join(', ')})`) };
}

/** The nodes a settled decision skips: the targets of every branch it did not choose. */
export function unchosenTargets(node: GraphNode | undefined, status: string | undefined, result: unknown): ReadonlySet<string> | undefined {
  if (node?.type !== 'decision' || status !== 'success' || typeof result !== 'string') return undefined;
  const chosen = new Set(node.branches?.[result] ?? []);
  const skipped = new Set<string>();
  for (const targets of Object.values(node.branches ?? {})) for (const target of targets) if (!chosen.has(target)) skipped.add(target);
  return skipped;
}
