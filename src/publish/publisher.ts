/**
 * Sends canvases: plans them (canvas/plan.ts), records chord sizes, encodes every message and
 * publishes them in one batch. The same publisher serves producers and workers (chain steps,
 * callbacks, chord bodies, retries).
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { Broker } from '../broker/broker.js';
import type { AnyCanvas, ApplyCall, CanvasApplier } from '../canvas/canvas.js';
import { toOptionsDict } from '../canvas/options.js';
import { planApply } from '../canvas/plan.js';
import type { ApplyContext, Plan, PlanConfig, PlannedMessage, ResultNode } from '../canvas/plan-types.js';
import { CanvasError, ConfigError } from '../errors.js';
import { encodeTaskMessage } from '../protocol/encode.js';
import { oldestFirst } from '../lineage.js';
import { mayCarryReferences } from './reference-queues.js';
import { referenceLargeEmbeds } from './references.js';
import type { ResultTuple } from '../protocol/result-meta.js';
import { serializerByName } from '../protocol/serializer.js';
import type { AsyncResult } from '../result/async-result.js';
import type { BackendResultFactory } from '../result/factory.js';

/** The running task, when a canvas is sent from inside one (its children and workflow ids). */
export interface SendingTask {
  readonly id: string;
  readonly rootId: string;
  /** Record a result tuple of something this task sent (shown in its meta's `children`). */
  addChild(tuple: ResultTuple): void;
}

/** Publisher settings (every field documents its default). */
export interface PublisherOptions {
  /**
   * `'inline'` (default, what Python Celery expects): chord bodies and remaining chain steps travel
   * inside every message. `'reference'`: dicts larger than `referenceThresholdBytes` are stored once
   * in the result backend and messages carry a small reference, so a chain of chords stays linear in
   * size; every worker on those routes must be celeriac. `{ referenceQueues }`: references only in
   * messages whose queue, and the queues of everything their continuations send, are all listed
   * (queues only celeriac workers consume); inline elsewhere (see `reference-queues.ts`).
   */
  continuations?: Continuations;
  /** Dicts larger than this (JSON bytes) are referenced in `'reference'` mode. Default: 1024. */
  referenceThresholdBytes?: number;
  /** Refuse (before publishing anything) a canvas with a message body larger than this. Default: 32 MiB. */
  maxMessageBytes?: number;
  /** Called after messages were published (the app sends `task-sent` events from here). Default: none. */
  onSent?: (messages: readonly PlannedMessage[]) => void;
}

/** How chord bodies and remaining chain steps travel; see {@link PublisherOptions.continuations}. */
export type Continuations = 'inline' | 'reference' | { readonly referenceQueues: readonly string[] };

/** Throws a {@link ConfigError} naming what is wrong with a `continuations` setting. */
export function checkContinuations(value: unknown): asserts value is Continuations | undefined {
  if (value === undefined || value === 'inline' || value === 'reference') return;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const queues = (value as { referenceQueues?: unknown }).referenceQueues;
    if (Array.isArray(queues) && queues.every((queue) => typeof queue === 'string' && queue !== '')) return;
    throw new ConfigError(`continuations.referenceQueues must be an array of queue names, got ${JSON.stringify(queues)}`);
  }
  throw new ConfigError(`continuations must be 'inline', 'reference' or { referenceQueues: [...] }, got ${JSON.stringify(value)}`);
}

/** The result tuple of a result node (what Celery stores in `children`). */
export function nodeTuple(node: ResultNode): ResultTuple {
  let tuple: ResultTuple | null = null;
  for (const n of oldestFirst(node, (n) => n.parent)) tuple = [[n.id, tuple], n.kind === 'group' ? n.children.map(nodeTuple) : null];
  return tuple!;
}

/** Plans, encodes and publishes canvases; see the module documentation. */
export class Publisher implements CanvasApplier {
  /** `continuations.referenceQueues` as a set, made on first use. */
  private referenceQueues: ReadonlySet<string> | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly backend: ResultBackend,
    private readonly config: PlanConfig,
    private readonly results: BackendResultFactory,
    /** The task currently running in this async context, if any. */
    private readonly currentTask: () => SendingTask | undefined = () => undefined,
    private readonly options: PublisherOptions = {},
  ) {}

  /** `canvas.applyAsync()` lands here. */
  applyCanvas(canvas: AnyCanvas, call: ApplyCall): Promise<AsyncResult<unknown>> {
    // Not async: while the broker confirms, only the sender and the result shape stay referenced,
    // not the canvas and its call (thousands of sends can be in flight).
    const sender = this.currentTask();
    let ctx: Partial<ApplyContext>;
    try {
      ctx = { args: call.args ?? [], kwargs: call.kwargs ?? {}, options: toOptionsDict(call.options ?? {}) };
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (sender) {
      ctx.parentId = call.options?.parentId ?? sender.id;
      ctx.rootId = call.options?.rootId ?? sender.rootId;
    }
    return this.send(canvas, ctx).then((node) => {
      sender?.addChild(nodeTuple(node));
      return this.results.fromNode(node);
    });
  }

  /** Plan and send a canvas in a given context (used by workers); returns its result shape. */
  send(canvas: AnyCanvas, ctx: Partial<ApplyContext>): Promise<ResultNode> {
    // Not async: nothing but the result shape stays referenced while the broker confirms (a
    // producer with thousands of sends in flight would otherwise keep every plan alive).
    try {
      const { plan, result } = planApply(canvas, ctx, this.config);
      return this.execute(plan).then(() => result);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Validate and encode every planned message (nothing is sent if one is over the size budget),
   * record chord sizes, then publish the messages in one batch.
   */
  execute(plan: Plan): Promise<void> {
    const mode = this.options.continuations;
    if (mode !== undefined && mode !== 'inline') {
      const queues = typeof mode === 'object' ? (this.referenceQueues ??= new Set(mode.referenceQueues)) : undefined;
      const referenced = queues ? plan.messages.filter((planned) => mayCarryReferences(planned, queues, this.config)) : plan.messages;
      if (referenced.length > 0) {
        return referenceLargeEmbeds(referenced, this.backend, this.options.referenceThresholdBytes ?? 1024).then(() => this.encodeAndPublish(plan));
      }
    }
    try {
      return this.encodeAndPublish(plan);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Encode synchronously, then publish; only what `onSent` needs is kept until the broker confirms. */
  private encodeAndPublish(plan: Plan): Promise<void> {
    const limit = this.options.maxMessageBytes ?? 32 * 1024 * 1024;
    const batch = plan.messages.map((planned) => {
      const message = encodeTaskMessage(planned.message, serializerByName(planned.serializer));
      if (message.body.length > limit) {
        throw new CanvasError(
          `the message for ${planned.message.headers.task}[${planned.message.headers.id}] is ${message.body.length} bytes, over the ${limit}-byte budget` +
            (this.options.continuations === 'reference' ? '' : "; with celeriac workers, set the app option continuations: 'reference'"),
        );
      }
      return { target: { queue: planned.queue, ...(planned.priority !== undefined ? { priority: planned.priority } : {}) }, message };
    });
    const onSent = this.options.onSent;
    const sent = onSent ? plan.messages : undefined;
    const publish = (): Promise<void> | undefined => {
      if (batch.length === 0) return undefined;
      return batch.length === 1 ? this.broker.publish(batch[0]!.target, batch[0]!.message) : this.broker.publishBatch(batch);
    };
    const published = plan.chordSizes.length > 0 ? this.recordChordSizes(plan.chordSizes).then(publish) : publish();
    if (!published) return Promise.resolve();
    return onSent && sent ? published.then(() => onSent(sent)) : published;
  }

  private async recordChordSizes(sizes: Plan['chordSizes']): Promise<void> {
    for (const { groupId, size } of sizes) await this.backend.setChordSize(groupId, size);
  }
}
