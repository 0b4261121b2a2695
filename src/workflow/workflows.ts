/**
 * `app.workflows`: define and load workflows, run them with validated payloads, read, list, cancel,
 * relaunch and resume runs, and follow their events (WORKFLOWS.md §W1–W5).
 * @module
 */
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { Definitions, type WorkflowDefinition } from './definition/definitions.js';
import { loadFolder } from './definition/load.js';
import type { SchemaInput, WorkflowInput } from './definition/spec.js';
import { cancelRun, resumeRun } from './engine/control.js';
import { decideApproval } from './engine/kinds/wait.js';
import { runEvent, type WorkflowEngine } from './engine/engine.js';
import { UnknownRunError } from './errors.js';
import { EventHub, type EventQuery } from './event-hub.js';
import { checkPayload } from './payload.js';
import { toRecord, toSummary } from './record.js';
import { WorkflowRun } from './run-handle.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { RunMeta, WorkflowStore } from './store/store.js';
import type { CancelOutcome, ListPage, ListQuery, NodeEvent, RunEvent, RunOptions, WorkflowEvent, WorkflowRecord } from './types.js';

/** The payload type a schema describes (Standard Schemas carry it; anything else: a JSON object). */
export type PayloadOf<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Record<string, unknown>;

/** What `app.workflows` gets from its app. */
export interface WorkflowsHost {
  /** The connected store and engine. */
  connect(): Promise<{ store: WorkflowStore; engine: WorkflowEngine }>;
  /** Result expiry in seconds (run records live as long; 0: forever). */
  readonly expiresSeconds: number;
  readonly logger: Logger;
  /** Send the message that ends a run at its `maxDuration`. */
  sendDeadline(runId: string, maxDurationSeconds: number): Promise<void>;
}

/** A defined workflow, with its payload type, to run it type-safely. */
export interface WorkflowHandle<P> {
  readonly fullname: string;
  run(payload: P, options?: RunOptions): Promise<WorkflowRun<P>>;
}

/** `app.workflows`; see the module documentation. */
export class Workflows {
  /** The registered definitions. */
  readonly definitions = new Definitions();
  private readonly hub: EventHub;

  constructor(private readonly host: WorkflowsHost) {
    this.hub = new EventHub(async () => (await host.connect()).store, host.logger);
  }

  /** Define a workflow in TypeScript (same keys as YAML). The payload type is inferred from a Standard Schema. */
  define<S extends SchemaInput | undefined = undefined>(fullname: string, input: WorkflowInput<S>): WorkflowHandle<PayloadOf<S>> {
    this.definitions.add(this.definitions.prepare([{ fullname, input }]));
    return { fullname, run: (payload, options) => this.run(fullname, payload, options) as Promise<WorkflowRun<PayloadOf<S>>> };
  }

  /** Load every `*.yml`/`*.yaml` of a folder and its `schemas/`. A bad file loads nothing and throws. */
  load(dir: string): Promise<WorkflowDefinition[]> {
    return loadFolder(this.definitions, dir);
  }

  /** Start a run: validate the payload (nothing is stored on failure), store the run, publish its first nodes. */
  async run<P = unknown>(fullname: string, payload: P, options: RunOptions = {}): Promise<WorkflowRun<P>> {
    const definition = this.definitions.get(fullname);
    await checkPayload(fullname, payload, definition.validate);
    const { store, engine } = await this.host.connect();
    const meta: RunMeta = {
      id: options.runId ?? newId(),
      project: definition.project,
      name: definition.name,
      fullname,
      payload,
      comment: options.comment ?? null,
      periodic: options.periodic ?? false,
      created: engine.deps.now(),
      graphId: definition.graphId,
      onFailure: definition.input.onFailure ?? 'stop',
      hooks: { ...definition.input.hooks },
    };
    const taskIds = Object.fromEntries(definition.graph.nodes.map((node) => [node.key, newId()]));
    const expiresSeconds = this.host.expiresSeconds;
    await store.saveGraph(definition.graphId, definition.graph, expiresSeconds);
    const retention = definition.input.retention?.offset;
    const { trimmed } = await store.createRun(meta, taskIds, { expiresSeconds, ...(retention !== undefined ? { retention } : {}) });
    if (trimmed.length > 0) this.host.logger.debug({ workflow: fullname, runs: trimmed.length }, 'retention trimmed old runs');
    await store.publish([runEvent(meta, 'pending', null, meta.created)]);
    if (definition.input.maxDuration !== undefined) await this.host.sendDeadline(meta.id, definition.input.maxDuration);
    await engine.start(meta);
    return this.handle<P>(meta.id);
  }

  /** A handle on an existing run id (no I/O). */
  handle<P = unknown>(runId: string): WorkflowRun<P> {
    return new WorkflowRun<P>(runId, { store: async () => (await this.host.connect()).store, get: (id) => this.get(id), cancel: (id) => this.cancel(id) });
  }

  /** A run's record with its nodes; throws {@link UnknownRunError}. */
  async get<P = unknown>(runId: string): Promise<WorkflowRecord<P>> {
    const { store, engine } = await this.host.connect();
    const state = await store.getRun(runId);
    if (!state) throw new UnknownRunError(runId);
    return toRecord<P>(state, (await engine.graphOf(state.meta)).graph);
  }

  /** Runs newest first, filtered by project, name and status, a page at a time. */
  async list<P = unknown>(query: ListQuery = {}): Promise<ListPage<P>> {
    const { store } = await this.host.connect();
    const page = await store.listRuns(query);
    const items = page.items.map((head) => toSummary<P>(head, query.withPayload ?? true));
    return page.cursor !== undefined ? { items, cursor: page.cursor } : { items };
  }

  /** Cancel a run: queued and running nodes are revoked, nothing new starts. Idempotent. */
  async cancel(runId: string): Promise<CancelOutcome> {
    return cancelRun((await this.host.connect()).engine, runId);
  }

  /** A new run with the same workflow, payload and comment. */
  async relaunch(runId: string): Promise<WorkflowRun> {
    const { store } = await this.host.connect();
    const meta = await store.readMeta(runId);
    if (!meta) throw new UnknownRunError(runId);
    return this.run(meta.fullname, meta.payload, meta.comment !== null ? { comment: meta.comment } : {});
  }

  /** Rerun the failed and canceled nodes of a run in place, keeping the results that succeeded. */
  async resume(runId: string): Promise<WorkflowRun> {
    await resumeRun((await this.host.connect()).engine, runId);
    return this.handle(runId);
  }

  /**
   * Approve an `approval` node that is waiting: it succeeds with `data` as its result. Throws
   * `NodeNotWaitingError` when the node is not an approval waiting now, `UnknownRunError`.
   */
  async approve(runId: string, node: string, data: unknown = null): Promise<void> {
    await decideApproval((await this.host.connect()).engine, runId, node, { approve: true, data });
  }

  /** Reject a waiting `approval` node: it fails with `ApprovalRejectedError` and `reason` as its message. */
  async reject(runId: string, node: string, reason = 'rejected'): Promise<void> {
    await decideApproval((await this.host.connect()).engine, runId, node, { approve: false, reason: String(reason) });
  }

  /** Listen to run or node events from every process; returns a function that stops listening. */
  on(kind: 'run', listener: (event: RunEvent) => void): () => void;
  on(kind: 'node', listener: (event: NodeEvent) => void): () => void;
  on(kind: 'run' | 'node', listener: ((event: RunEvent) => void) | ((event: NodeEvent) => void)): () => void {
    return this.hub.on((event: WorkflowEvent) => {
      if (event.kind === kind) (listener as (e: WorkflowEvent) => void)(event);
    });
  }

  /** Iterate events (of one run, or all); with `runId`, it ends once that run finished. */
  events(query: EventQuery = {}): AsyncIterableIterator<WorkflowEvent> {
    return this.hub.iterate(query, (runId) => this.get(runId));
  }

  /** Stop the shared event subscription (the app's close() does it). */
  close(): Promise<void> {
    return this.hub.close();
  }
}
