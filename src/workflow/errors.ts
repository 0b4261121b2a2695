/**
 * Errors of the workflow layer. Each says when it is thrown and carries readonly context.
 * @module
 */
import { CeleriacError } from '../errors.js';

/** One problem with a payload: a JSON pointer into the payload, the reason, and the value found there. */
export interface PayloadProblem {
  /** JSON pointer, `''` for the payload itself (shown as `/`). */
  readonly path: string;
  readonly message: string;
  readonly value: unknown;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One problem as a line: `/user: must be integer (got "john")`. */
export function formatProblem(problem: PayloadProblem): string {
  return `${problem.path || '/'}: ${problem.message} (got ${show(problem.value)})`;
}

/**
 * Thrown by `app.workflows.run()` (and periodic runs) when the payload does not validate against
 * the workflow's schema, or is not a JSON object. Nothing was stored or published.
 */
export class PayloadError extends CeleriacError {
  override name = 'PayloadError';
  constructor(
    /** The workflow's `project.NAME`. */
    readonly workflow: string,
    /** Every problem found (not just the first). */
    readonly problems: readonly PayloadProblem[],
  ) {
    super(`Payload is not valid for ${workflow}: ${problems.map(formatProblem).join('; ')}`);
  }
}

/** Where a definition problem is: the file (for YAML), the workflow and the key path. */
export interface DefinitionLocation {
  readonly file?: string;
  readonly workflow: string;
  /** Dotted path of the offending key, e.g. `nodes.merge.after`. */
  readonly key: string;
}

/** Thrown by `define()` / `load()` when a definition is wrong; nothing of that file was loaded. */
export class WorkflowDefinitionError extends CeleriacError {
  override name = 'WorkflowDefinitionError';
  constructor(
    readonly location: DefinitionLocation,
    readonly reason: string,
  ) {
    const where = [location.file, location.workflow, location.key].filter((part) => part !== undefined && part !== '').join(': ');
    super(`${where}: ${reason}`);
  }
}

/** Thrown when a workflow name is not defined. */
export class UnknownWorkflowError extends CeleriacError {
  override name = 'UnknownWorkflowError';
  constructor(readonly workflow: string) {
    super(`Workflow '${workflow}' not found`);
  }
}

/** Thrown when a run id does not exist (never created, expired or trimmed by retention). */
export class UnknownRunError extends CeleriacError {
  override name = 'UnknownRunError';
  constructor(readonly runId: string) {
    super(`Workflow run '${runId}' not found`);
  }
}

/** Thrown when an operation does not fit the run's state (e.g. resuming a run that succeeded). */
export class WorkflowStateError extends CeleriacError {
  override name = 'WorkflowStateError';
  constructor(
    readonly runId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Stored as a run's error when it ran past its `maxDuration`. */
export class WorkflowTimeoutError extends CeleriacError {
  override name = 'WorkflowTimeoutError';
}

/** Stored on nodes that never ran because the run was canceled or stopped. */
export class NodeCanceledError extends CeleriacError {
  override name = 'NodeCanceledError';
}
