/**
 * Chord completion: count a finished header part (atomically, idempotently, in the backend) and,
 * when the last part is in, send the body with every result in header order, or, if a part failed,
 * fail the body once with a ChordError (its errbacks fire exactly once; the parts stay stored until
 * they expire, as Celery leaves them).
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { AnyCanvas } from '../canvas/canvas.js';
import type { ApplyContext } from '../canvas/plan-types.js';
import { HEADER_FAILURE_OPTION } from '../canvas/chord.js';
import type { SignatureDict } from '../protocol/message.js';
import { toExceptionInfo } from '../protocol/exceptions.js';
import { isExceptionInfo, type ExceptionInfo, type ResultTuple } from '../protocol/result-meta.js';
import { ChordError } from '../errors.js';
import { PROPAGATE_STATES, States } from '../states.js';
import { joinHeaderResults } from './chord-join.js';

/** A header part's place in its chord. */
export interface ChordMember {
  groupId: string;
  index: number | null;
  body: SignatureDict;
  taskId: string;
}

type Revive = (dict: SignatureDict) => Promise<AnyCanvas>;
type Send = (canvas: AnyCanvas, ctx: Partial<ApplyContext>) => Promise<ResultTuple>;
type Fail = (canvas: AnyCanvas, state: string, exc: ExceptionInfo, ctx: { rootId: string; fireErrbacks: boolean }) => Promise<void>;

/** Python-like repr of a stored exception, for ChordError messages. */
function excRepr(value: unknown): string {
  if (!isExceptionInfo(value)) return String(value);
  const args = value.exc_message.map((a) => (typeof a === 'string' ? `'${a}'` : JSON.stringify(a))).join(', ');
  return `${value.exc_type}(${args})`;
}

/** Counts chord parts and completes chords. */
export class ChordTracker {
  constructor(
    private readonly backend: ResultBackend,
    private readonly revive: Revive,
    private readonly send: Send,
    private readonly fail: Fail,
  ) {}

  /** Count `member` as finished in `state`; send or fail the body when it was the last part. */
  async count(member: ChordMember, state: string, result: unknown, rootId: string, senderId: string): Promise<void> {
    const progress = await this.backend.addChordPart(member.groupId, { taskId: member.taskId, index: member.index, state, result });
    if (!progress.complete) return;
    const body = await this.revive(member.body);
    const runBodyAnyway = body.options[HEADER_FAILURE_OPTION] === 'run_body';
    const failedPart = runBodyAnyway ? undefined : progress.parts.find((part) => PROPAGATE_STATES.has(part.state));
    if (failedPart) {
      const error = new ChordError(`Dependency ${failedPart.taskId} raised ${excRepr(failedPart.result)}`);
      await this.fail(body, States.FAILURE, toExceptionInfo(error), { rootId, fireErrbacks: true });
      // Like Celery's Redis backend, a failed chord keeps its counted parts (`<taskset>.j`) until they
      // expire, so an error handler can still read which parts succeeded.
      return;
    }
    const results = await joinHeaderResults(this.backend, member.groupId, progress.parts);
    await this.send(body, { args: [results], parentId: senderId, rootId });
    await this.backend.clearChord(member.groupId);
  }
}
