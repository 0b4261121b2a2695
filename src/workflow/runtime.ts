/**
 * Wires the workflow layer into an app: the store (from the backend URL), the engine (publishing
 * through the app's publisher), the built-in tasks a node's callbacks and deadline run as, and the
 * worker hooks that run those callbacks in-process when a celeriac worker ran the node.
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { CanvasApplier } from '../canvas/canvas.js';
import { Signature } from '../canvas/signature.js';
import type { Logger } from '../logger.js';
import type { SignatureDict, TaskMessage } from '../protocol/message.js';
import type { ExceptionInfo } from '../protocol/result-meta.js';
import type { Publisher } from '../publish/publisher.js';
import { currentTask } from '../worker/context.js';
import type { CallbackOutcome, WorkerHooks } from '../worker/hooks.js';
import type { TaskRegistry } from '../worker/registry.js';
import { expireRun } from './engine/control.js';
import { WorkflowEngine } from './engine/engine.js';
import { ADVANCE_TASK, DEADLINE_TASK, FAIL_TASK, nodeRefOf, nodeRefOfCallbacks, nodeSignature } from './engine/node-message.js';
import { inlineKindCallback, nodeKinds, registerKindTasks } from './kinds-runtime.js';
import { toRecord } from './record.js';
import type { WorkflowStore } from './store/store.js';
import type { NodeError } from './types.js';

/** What the runtime needs from the app. */
export interface RuntimeDeps {
  connect(): Promise<{ publisher: Publisher; backend: ResultBackend; store: WorkflowStore }>;
  readonly applier: CanvasApplier;
  readonly logger: Logger;
  /** The queue workflow callbacks and deadlines go to (a celeriac worker must consume it). */
  readonly callbackQueue: string;
  /** Run lifetime in seconds (wait indexes, retained events and map counters live as long). Default: 86,400. */
  readonly expiresSeconds?: number;
}

function errorOf(exc: ExceptionInfo, traceback: string | null): NodeError {
  const args = Array.isArray(exc.exc_message) ? exc.exc_message : [exc.exc_message];
  return { type: exc.exc_type, message: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(', '), traceback };
}

/** The app's workflow runtime; see the module documentation. */
export class WorkflowRuntime {
  private engineValue: Promise<{ store: WorkflowStore; engine: WorkflowEngine }> | undefined;
  private readonly extraHooks: WorkerHooks[] = [];

  constructor(private readonly deps: RuntimeDeps) {}

  /** The connected store and engine. */
  connect(): Promise<{ store: WorkflowStore; engine: WorkflowEngine }> {
    this.engineValue ??= this.open();
    this.engineValue.catch(() => (this.engineValue = undefined));
    return this.engineValue;
  }

  /** Forget the connection (the app closed). */
  reset(): void {
    this.engineValue = undefined;
  }

  /** Send the message that expires a run at its `maxDuration`. */
  async sendDeadline(runId: string, maxDuration: number): Promise<void> {
    const { publisher } = await this.deps.connect();
    const deadline = new Signature({ task: DEADLINE_TASK, kwargs: { run_id: runId, max_duration: maxDuration }, options: { queue: this.deps.callbackQueue, countdown: maxDuration } }, this.deps.applier);
    await publisher.send(deadline, { rootId: runId });
  }

  /** Register the built-in tasks (callbacks sent by Python workers, deadlines). */
  registerTasks(registry: TaskRegistry): void {
    registerKindTasks(registry, () => this.connect(), async () => (await this.deps.connect()).backend);
    registry.register({
      name: ADVANCE_TASK,
      fn: async (result: unknown) => {
        const ctx = currentTask();
        const ref = nodeRefOf(ctx?.kwargs);
        if (!ctx || !ref || !ctx.parentId) throw new Error(`${ADVANCE_TASK} needs kwargs run_id/node and the node's task id as parent id`);
        const { engine } = await this.connect();
        await engine.nodeSucceeded(ref.run_id, ref.node, ctx.parentId, result, 0);
      },
      settings: {},
    });
    registry.register({
      name: FAIL_TASK,
      fn: async (failedTaskId: unknown) => {
        const ref = nodeRefOf(currentTask()?.kwargs);
        if (!ref || typeof failedTaskId !== 'string') throw new Error(`${FAIL_TASK} needs the failed task id and kwargs run_id/node`);
        const { backend } = await this.deps.connect();
        const meta = await backend.getMeta(failedTaskId);
        const exc = (meta?.result ?? { exc_type: 'Error', exc_message: ['the task failed'], exc_module: 'builtins' }) as ExceptionInfo;
        const { engine } = await this.connect();
        await engine.nodeFailed(ref.run_id, ref.node, failedTaskId, errorOf(exc, meta?.traceback ?? null), 0);
      },
      settings: {},
    });
    registry.register({
      name: DEADLINE_TASK,
      fn: async () => {
        const kwargs = currentTask()?.kwargs ?? {};
        const runId = kwargs['run_id'];
        if (typeof runId !== 'string') throw new Error(`${DEADLINE_TASK} needs kwargs run_id`);
        await expireRun((await this.connect()).engine, runId, Number(kwargs['max_duration']));
      },
      settings: {},
    });
  }

  /** Add the worker hooks of another layer (the triggers); they are tried before the workflow's own. */
  addHooks(hooks: WorkerHooks): void {
    this.extraHooks.push(hooks);
  }

  /** Worker hooks: node callbacks run in-process; node starts are recorded. */
  hooks(): WorkerHooks {
    return {
      inlineCallback: async (callback, outcome, message) => {
        for (const extra of this.extraHooks) if (await extra.inlineCallback?.(callback, outcome, message)) return true;
        return this.inline(callback, outcome, message);
      },
      taskStarted: (message) => {
        for (const extra of this.extraHooks) extra.taskStarted?.(message);
        const ref = nodeRefOfCallbacks(message.embed.callbacks);
        if (!ref) return;
        void this.connect()
          .then(({ engine }) => engine.nodeStarted(ref.run_id, ref.node, message.headers.id))
          .catch((error: unknown) => this.deps.logger.warn({ runId: ref.run_id, node: ref.node, error: String(error) }, 'could not record a workflow node start'));
      },
    };
  }

  private async inline(callback: SignatureDict, outcome: CallbackOutcome, message: TaskMessage): Promise<boolean> {
    if (await inlineKindCallback(() => this.connect(), callback, outcome)) return true;
    if (callback.task !== ADVANCE_TASK && callback.task !== FAIL_TASK) return false;
    const ref = nodeRefOf(callback.kwargs);
    if (!ref) return false;
    const expected = outcome.kind === 'success' ? ADVANCE_TASK : FAIL_TASK;
    if (callback.task !== expected) return true;
    const { engine } = await this.connect();
    const taskId = message.headers.id;
    const retries = message.headers.retries ?? 0;
    if (outcome.kind === 'success') await engine.nodeSucceeded(ref.run_id, ref.node, taskId, outcome.value, retries);
    else await engine.nodeFailed(ref.run_id, ref.node, taskId, errorOf(outcome.exc, outcome.traceback), retries);
    return true;
  }

  private async open(): Promise<{ store: WorkflowStore; engine: WorkflowEngine }> {
    const { store } = await this.deps.connect();
    const kinds = nodeKinds({ ...this.deps, expiresSeconds: this.deps.expiresSeconds ?? 86_400 }, store);
    const engine = new WorkflowEngine({
      store,
      kinds,
      logger: this.deps.logger,
      now: () => Date.now(),
      sendNodes: async (calls) => {
        const { publisher } = await this.deps.connect();
        await Promise.all(
          calls.map((call) =>
            publisher.send(nodeSignature(call, this.deps.applier, this.deps.callbackQueue), { rootId: call.runId, parentId: call.parentTaskId }),
          ),
        );
      },
      revoke: async (taskIds) => (await this.deps.connect()).backend.revoke({ taskIds }),
      sendHook: async (task, meta) => {
        const { publisher } = await this.deps.connect();
        const state = await store.getRun(meta.id);
        const record = state ? toRecord(state, (await engine.graphOf(meta)).graph) : null;
        const hook = new Signature({ task, args: [record], kwargs: { payload: meta.payload, workflow_id: meta.id } }, this.deps.applier);
        await publisher.send(hook, { rootId: meta.id });
      },
    });
    return { store, engine };
  }
}
