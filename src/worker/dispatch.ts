/**
 * What happens after a task ran (wire README §4), in Celery's order: send follow-ups (callbacks,
 * then the next chain step), store the result, then count the chord part. On failure: store
 * FAILURE, fail the chain steps that will now never run (so nobody waits on them forever), count
 * the chord part, and send the errbacks once.
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { AnyCanvas, CanvasApplier } from '../canvas/canvas.js';
import { signatureFromDict } from '../canvas/from-dict.js';
import { Group } from '../canvas/group.js';
import { resultNodeOf } from '../canvas/plan.js';
import type { ApplyContext } from '../canvas/plan-types.js';
import type { Logger } from '../logger.js';
import type { SignatureDict, TaskMessage } from '../protocol/message.js';
import type { ExceptionInfo, ResultTuple } from '../protocol/result-meta.js';
import { dateDoneNow } from '../protocol/result-meta.js';
import { nodeTuple, type Publisher } from '../publish/publisher.js';
import { States } from '../states.js';
import { ChordTracker, type ChordMember } from './chord.js';
import { advanceOnce, advanceOnceDeferred, withFollowUpId } from './advance.js';
import { cachedLoader, expandChain, expandCursor, hydrate, type CanvasLoader } from './hydrate.js';
import { readChainCursor } from '../canvas/reference.js';
import type { WorkerHooks } from './hooks.js';
import { buildMeta, type MetaExtras } from './meta.js';

/** Dependencies of the dispatcher. */
export interface DispatchDeps {
  publisher: Publisher;
  backend: ResultBackend;
  applier: CanvasApplier;
  logger: Logger;
  /** Callbacks some layer runs in-process (the workflow engine's). */
  hooks?: WorkerHooks;
}

/** Sends follow-ups and stores outcomes for finished tasks. */
export class Dispatcher {
  private readonly chords: ChordTracker;

  private readonly load: CanvasLoader;

  constructor(private readonly deps: DispatchDeps) {
    this.load = cachedLoader({
      canvas: (key) => deps.backend.loadCanvas(key),
      chainSteps: (key, from, count) => deps.backend.loadChainSteps(key, from, count),
    });
    this.chords = new ChordTracker(
      deps.backend,
      (dict) => this.revive(dict),
      (canvas, ctx) => this.send(canvas, ctx),
      (canvas, state, exc, ctx) => this.failCanvas(canvas, state, exc, ctx),
    );
  }

  /** Revive a signature dict bound to this app, resolving the references it is about to apply. */
  async revive(dict: SignatureDict): Promise<AnyCanvas> {
    return signatureFromDict(await hydrate(dict, this.load), this.deps.applier);
  }

  /** Send a canvas in a context; returns its result tuple. */
  async send(canvas: AnyCanvas, ctx: Partial<ApplyContext>): Promise<ResultTuple> {
    return nodeTuple(await this.deps.publisher.send(canvas, ctx));
  }

  /**
   * A task succeeded with `value`. Its follow-ups are sent once per task id even when the message
   * is `redelivered` (see `advance.ts`).
   */
  succeeded(message: TaskMessage, value: unknown, children: ResultTuple[], ignoreResult: boolean, extras: MetaExtras, redelivered = false): Promise<void> {
    const { embed } = message;
    if ((embed.callbacks ?? []).length > 0 || (embed.chain ?? []).length > 0) return this.succeededWithFollowUps(message, value, children, ignoreResult, extras, redelivered);
    // Nothing to send (most tasks): store the result, count the chord part. Not async: this is every task's path.
    if (embed.chord) {
      const stored = ignoreResult ? Promise.resolve(true) : this.deps.backend.storeMeta(buildMeta(message, States.SUCCESS, value, { children, extras }));
      return stored.then(() => this.countChordPart(message, States.SUCCESS, value));
    }
    if (ignoreResult) return Promise.resolve();
    try {
      return this.deps.backend.storeMeta(buildMeta(message, States.SUCCESS, value, { children, extras })).then(nothing);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private async succeededWithFollowUps(message: TaskMessage, value: unknown, children: ResultTuple[], ignoreResult: boolean, extras: MetaExtras, redelivered: boolean): Promise<void> {
    const { headers: h, embed } = message;
    const callbacks = embed.callbacks ?? [];
    const chain = embed.chain ?? [];
    const follow = { parentId: h.id, rootId: h.root_id };
    const sent: ResultTuple[] = [...children];
    // The next chain step is read alongside the claim (one round trip); unused if the claim says another delivery sent it.
    const nextStep = chain.length > 0 ? this.nextChainStep(chain) : undefined;
    nextStep?.catch(() => undefined);
    const { completed } = await advanceOnceDeferred(this.deps.backend, h.id, redelivered, async () => {
      for (const [i, callback] of callbacks.entries()) {
        if (await this.deps.hooks?.inlineCallback?.(callback, { kind: 'success', value }, message)) continue;
        sent.push(await this.send(await this.revive(withFollowUpId(callback, h.id, `link:${i}`)), { ...follow, args: [value] }));
      }
      if (nextStep) {
        const { step, rest } = await nextStep;
        const next = withFollowUpId(step, h.id, 'chain');
        sent.push(await this.send(await this.revive(next), { ...follow, args: [value], chain: rest.length > 0 ? rest : null }));
      }
    });
    // Marking the follow-ups sent and storing the result go out together.
    const stored = ignoreResult ? undefined : this.deps.backend.storeMeta(buildMeta(message, States.SUCCESS, value, { children: sent, extras }));
    await Promise.all([completed, stored]);
    await this.countChordPart(message, States.SUCCESS, value);
  }

  /** A task failed (or was revoked/expired: `state` REVOKED). Errbacks are sent once per task id. */
  async failed(message: TaskMessage, state: string, exc: ExceptionInfo, traceback: string | null, children: ResultTuple[], extras: MetaExtras, redelivered = false): Promise<void> {
    const { headers: h, embed } = message;
    await this.deps.backend.storeMeta(buildMeta(message, state, exc, { traceback, children, extras }));
    await this.countChordPart(message, state, exc);
    await this.failRemaining(embed.chain ?? [], state, exc, h.root_id);
    const errbacks = embed.errbacks ?? [];
    if (state === States.FAILURE && errbacks.length > 0) {
      await advanceOnce(this.deps.backend, h.id, redelivered, async () => {
        const rest = [];
        for (const [i, errback] of errbacks.entries()) {
          if (await this.deps.hooks?.inlineCallback?.(errback, { kind: 'failure', exc, traceback }, message)) continue;
          rest.push(withFollowUpId(errback, h.id, `errback:${i}`));
        }
        await this.sendErrbacks(rest, h.id, h.root_id);
      });
    }
  }

  /**
   * A canvas that will never run (a chord body whose header failed, a cancelled step): store
   * `state` for its result id, count it toward any chord it belongs to, fail its chain
   * continuation, and send its errbacks once.
   */
  async failCanvas(canvas: AnyCanvas, state: string, exc: ExceptionInfo, ctx: { rootId: string; fireErrbacks: boolean }): Promise<void> {
    const frozen = canvas.freeze();
    const node = resultNodeOf(frozen);
    // As Celery's chord_error_from_stack: the errbacks go first, as one group, stored as the failure's child.
    const errbacks = ctx.fireErrbacks ? await this.sendErrbackGroup(frozen.options.link_error ?? [], node.id, ctx.rootId) : undefined;
    await this.storeNeverRan(node.id, state, exc, frozen.options.group_id, errbacks ? [errbacks] : []);
    const member = memberOf(frozen, node.id);
    if (member) await this.chords.count(member, state, exc, ctx.rootId, node.id);
    await this.failRemaining(frozen.options.chain ?? [], state, exc, ctx.rootId);
  }

  private async countChordPart(message: TaskMessage, state: string, result: unknown): Promise<void> {
    const { headers: h, embed } = message;
    if (!embed.chord || !h.group) return;
    const member: ChordMember = { groupId: h.group, index: h.group_index, body: embed.chord, taskId: h.id };
    await this.chords.count(member, state, result, h.root_id, h.id);
  }

  /**
   * The next step of a message's chain (its last entry) and the steps after it. A chain cursor is
   * read here: the step it points at, and its continuation (the cursor moved on) joins the rest.
   */
  private async nextChainStep(chain: readonly SignatureDict[]): Promise<{ step: SignatureDict; rest: SignatureDict[] }> {
    const last = chain[chain.length - 1]!;
    const rest = chain.slice(0, -1);
    const cursor = readChainCursor(last);
    if (!cursor) return { step: last, rest };
    const step = await expandCursor(last, cursor, this.load);
    const { chain: continuation, ...options } = step.options;
    return { step: { ...step, options }, rest: [...rest, ...(continuation ?? [])] };
  }

  /** Chain steps after a failed one never run: store the same outcome under their ids. */
  private async failRemaining(chain: readonly SignatureDict[], state: string, exc: ExceptionInfo, rootId: string): Promise<void> {
    const steps = await expandChain(chain, this.load).catch((error: unknown) => {
      this.deps.logger.error({ error: String(error) }, 'could not read the chain steps that will not run');
      return [];
    });
    for (const dict of [...steps].reverse()) {
      await this.failCanvas(await this.revive(dict), state, exc, { rootId, fireErrbacks: false }).catch((error: unknown) =>
        this.deps.logger.error({ error: String(error) }, 'could not record a skipped chain step'),
      );
    }
  }

  private async sendErrbacks(errbacks: readonly SignatureDict[], failedId: string, rootId: string): Promise<void> {
    for (const errback of errbacks) {
      // Celery's convention for errbacks sent as messages: the failed task id comes first.
      await this.send(await this.revive(errback), { args: [failedId], parentId: failedId, rootId }).catch((error: unknown) =>
        this.deps.logger.error({ task: errback.task, error: String(error) }, 'could not send an errback'),
      );
    }
  }

  /** Send `errbacks` as one group (Celery's way for a failed chord body); its result tuple, if any was sent. */
  private async sendErrbackGroup(errbacks: readonly SignatureDict[], failedId: string, rootId: string): Promise<ResultTuple | undefined> {
    if (errbacks.length === 0) return undefined;
    try {
      const members = await Promise.all(errbacks.map((errback) => this.revive(errback)));
      return await this.send(new Group(members, this.deps.applier), { args: [failedId], parentId: failedId, rootId });
    } catch (error) {
      this.deps.logger.error({ id: failedId, error: String(error) }, 'could not send the errbacks of a failed chord');
      return undefined;
    }
  }

  private async storeNeverRan(id: string, state: string, exc: ExceptionInfo, groupId: string | undefined, children: ResultTuple[] = []): Promise<void> {
    const meta = { status: state, result: exc, traceback: null, children, date_done: dateDoneNow(), ...(groupId ? { group_id: groupId } : {}), task_id: id };
    await this.deps.backend.storeMeta(meta);
  }
}

/** The chord membership a (frozen) canvas carries in its options, if any. */
function memberOf(canvas: AnyCanvas, taskId: string): ChordMember | undefined {
  const o = canvas.options;
  if (!o.chord || !o.group_id) return undefined;
  return { groupId: o.group_id, index: o.group_index ?? null, body: o.chord, taskId };
}

function nothing(): void {}
