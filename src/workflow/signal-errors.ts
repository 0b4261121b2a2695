/**
 * Errors of the §W6 layer (waits, approvals, timers, decisions, maps, events, triggers). Each says
 * when it is thrown (or stored on a node) and carries readonly context.
 * @module
 */
import { CeleriacError } from '../errors.js';

/** Stored on a `wait` or `approval` node whose `timeout` passed before it completed. */
export class WaitTimeoutError extends CeleriacError {
  override name = 'WaitTimeoutError';
}

/** Thrown by `app.fire()` when the event name is malformed (letters, digits, `._:-`; 1–200 characters). */
export class EventNameError extends CeleriacError {
  override name = 'EventNameError';
  constructor(readonly event: unknown) {
    super(`event name ${JSON.stringify(event) ?? String(event)} is malformed: use letters, digits and '._:-' (1–200 characters, starting with a letter or digit)`);
  }
}

/** Thrown by `app.fire()` / `approve()` when the data is not JSON (functions, undefined, BigInt, cycles, non-finite numbers). */
export class EventDataError extends CeleriacError {
  override name = 'EventDataError';
  constructor(
    readonly event: string,
    reason: string,
  ) {
    super(`the data of event '${event}' is not JSON: ${reason}`);
  }
}

/** Thrown by `approve()` / `reject()` when the node is not an approval waiting for a person. */
export class NodeNotWaitingError extends CeleriacError {
  override name = 'NodeNotWaitingError';
  constructor(
    readonly runId: string,
    readonly node: string,
    reason: string,
  ) {
    super(`node '${node}' of run ${runId} is not waiting for an approval: ${reason}`);
  }
}

/** Stored on an approval node that was rejected; the message is the reason given. */
export class ApprovalRejectedError extends CeleriacError {
  override name = 'ApprovalRejectedError';
}

/** Stored on a `timer` node whose `at:` path does not hold an ISO time. */
export class TimerError extends CeleriacError {
  override name = 'TimerError';
}

/** Stored on a `wait` node whose `correlate:` path holds no value in the run. */
export class CorrelationError extends CeleriacError {
  override name = 'CorrelationError';
}

/** Stored on a `decision` node whose task returned a value that names none of its branches. */
export class UnknownBranchError extends CeleriacError {
  override name = 'UnknownBranchError';
}

/** Stored on a `map` node whose parent's result is not a list (or one of whose items failed). */
export class MapError extends CeleriacError {
  override name = 'MapError';
}

/** Thrown by `app.triggers.configure()` for an unknown directive, a bad value or a cycle; `trigger` names the entry. */
export class TriggerConfigError extends CeleriacError {
  override name = 'TriggerConfigError';
  constructor(
    readonly trigger: string,
    reason: string,
  ) {
    super(`trigger '${trigger}': ${reason}`);
  }
}

/** Thrown by `app.triggers.replay()` / `skip()` for an instance that does not exist or is not failed. */
export class TriggerInstanceError extends CeleriacError {
  override name = 'TriggerInstanceError';
  constructor(
    readonly instance: string,
    reason: string,
  ) {
    super(`trigger instance '${instance}': ${reason}`);
  }
}
