/**
 * Build result handles from plan result nodes and from Celery result tuples.
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { ResultNode } from '../canvas/plan-types.js';
import type { ResultTuple } from '../protocol/result-meta.js';
import { AsyncResult, type ResultFactory } from './async-result.js';
import { GroupResult } from './group-result.js';
import { oldestFirst } from '../lineage.js';

/** Creates {@link AsyncResult}/{@link GroupResult} handles bound to one backend. */
export class BackendResultFactory implements ResultFactory {
  constructor(private readonly backend: ResultBackend) {}

  /** A handle for a task id. */
  task<R>(id: string, parent?: AsyncResult<unknown>): AsyncResult<R> {
    return new AsyncResult<R>(id, this.backend, parent, this);
  }

  /** A handle for the result shape an apply produced. */
  fromNode(node: ResultNode): AsyncResult<unknown> {
    let handle: AsyncResult<unknown> | undefined;
    for (const n of oldestFirst(node, (n) => n.parent)) {
      handle =
        n.kind === 'group'
          ? new GroupResult(n.id, n.children.map((child) => this.fromNode(child)), this.backend, handle, this)
          : new AsyncResult(n.id, this.backend, handle, this);
    }
    return handle!;
  }

  /** A handle from Celery's result tuple (`children`, saved groups). */
  fromTuple(tuple: ResultTuple): AsyncResult<unknown> {
    let handle: AsyncResult<unknown> | undefined;
    for (const [[id], members] of oldestFirst(tuple, (t) => t[0][1])) {
      handle = members
        ? new GroupResult(id, members.map((m) => this.fromTuple(m)), this.backend, handle, this)
        : new AsyncResult(id, this.backend, handle, this);
    }
    return handle!;
  }

  /** Restore a group saved with `GroupResult.save()` (by Python or celeriac). */
  async restoreGroup(groupId: string): Promise<GroupResult | undefined> {
    const tuple = await this.backend.restoreGroup(groupId);
    if (!tuple) return undefined;
    const result = this.fromTuple(tuple);
    return result instanceof GroupResult ? result : undefined;
  }
}
