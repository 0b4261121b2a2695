/**
 * Every Redis key and channel of the workflow store, built here and nowhere else.
 * @module
 */

/** Separator inside composite names (a control character no workflow or status name contains). */
export const SEP = '\x1f';

/** Key names under a prefix (default `celeriac-wf-`). */
export class WorkflowKeys {
  constructor(
    readonly prefix: string,
    /** The database number: pub/sub channels are server-wide, so the events channel names it (as kombu does). */
    private readonly db = 0,
  ) {}

  /** The hash of one run (meta, statuses, results, join counters). */
  run(runId: string): string {
    return `${this.prefix}run-${runId}`;
  }

  /** A compiled graph, by content id. */
  graph(graphId: string): string {
    return `${this.prefix}graph-${graphId}`;
  }

  /** Every run, scored by creation ms. */
  all(): string {
    return `${this.prefix}idx`;
  }

  byName(fullname: string): string {
    return `${this.prefix}idx-name-${fullname}`;
  }

  byProject(project: string): string {
    return `${this.prefix}idx-project-${project}`;
  }

  byStatus(status: string): string {
    return `${this.prefix}idx-status-${status}`;
  }

  byNameAndStatus(fullname: string, status: string): string {
    return `${this.prefix}idx-ns-${fullname}${SEP}${status}`;
  }

  /** The channel every workflow event is published on. */
  events(): string {
    return `/${this.db}.${this.prefix}events`;
  }
}
