/**
 * Wires the §W6 node types into the app: their dependencies (the signal store, ETA messages, map
 * item messages through the app's publisher), the built-in tasks their messages run as (timer,
 * wait timeout, map item done / failed) and the in-process handling of map item callbacks when a
 * celeriac worker ran the item.
 * @module
 */
import type { ResultBackend } from './../backend/backend.js';
import type { CanvasApplier } from '../canvas/canvas.js';
import { Signature } from '../canvas/signature.js';
import type { SignatureDict } from '../protocol/message.js';
import type { ExceptionInfo } from '../protocol/result-meta.js';
import type { Publisher } from '../publish/publisher.js';
import { currentTask } from '../worker/context.js';
import type { CallbackOutcome } from '../worker/hooks.js';
import type { TaskRegistry } from '../worker/registry.js';
import type { WorkflowEngine } from './engine/engine.js';
import { NodeKinds } from './engine/kinds/index.js';
import { mapItemDone, mapItemFailed, mapItemRefOf } from './engine/kinds/map.js';
import { MAP_FAIL_TASK, MAP_ITEM_TASK, TIMER_TASK, WAIT_TIMEOUT_TASK, type KindDeps } from './engine/kinds/shared.js';
import { timerFired } from './engine/kinds/timer.js';
import { waitTimedOut } from './engine/kinds/wait.js';
import type { WorkflowStore } from './store/store.js';
import { errorOfException } from './exception-error.js';

/** What the node types need from the app. */
export interface KindsHost {
  connect(): Promise<{ publisher: Publisher; backend: ResultBackend }>;
  readonly applier: CanvasApplier;
  readonly callbackQueue: string;
  readonly expiresSeconds: number;
}


/** Build the node types' hooks on a connected store. */
export function nodeKinds(host: KindsHost, store: WorkflowStore): NodeKinds {
  const deps: KindDeps = {
    signals: store.signals(),
    expiresSeconds: host.expiresSeconds,
    sendDelayed: async (task, kwargs, options) => {
      const { publisher } = await host.connect();
      const signature = new Signature({ task, kwargs, options: { task_id: options.taskId, queue: host.callbackQueue, eta: new Date(options.eta).toISOString() } }, host.applier);
      await publisher.send(signature, { rootId: options.rootId });
    },
    sendMapItems: async (call, items) => {
      const { publisher } = await host.connect();
      const { node } = call;
      const callback = (task: string, index: number) =>
        new Signature({ task, kwargs: { run_id: call.runId, node: node.key, map_task_id: call.taskId, index }, options: { queue: host.callbackQueue } }, host.applier).toJSON();
      await Promise.all(
        items.map(({ index, item }) => {
          const options = { task_id: `${call.taskId}.${index}`, ...(node.queue ? { queue: node.queue } : {}), link: [callback(MAP_ITEM_TASK, index)], link_error: [callback(MAP_FAIL_TASK, index)] };
          const signature = new Signature({ task: node.task, args: [item], kwargs: { ...node.kwargs, payload: call.payload, workflow_id: call.runId }, options }, host.applier);
          return publisher.send(signature, { rootId: call.runId, parentId: call.taskId });
        }),
      );
    },
  };
  return new NodeKinds(deps);
}

type Connect = () => Promise<{ engine: WorkflowEngine }>;

function kindsOf(engine: WorkflowEngine): KindDeps {
  if (!engine.deps.kinds) throw new Error('the workflow engine runs without node types');
  return engine.deps.kinds.deps;
}

/** Register the built-in tasks of the node types. */
export function registerKindTasks(registry: TaskRegistry, connect: Connect, backend: () => Promise<ResultBackend>): void {
  const kwargsOf = (): Readonly<Record<string, unknown>> => currentTask()?.kwargs ?? {};
  registry.register({ name: TIMER_TASK, fn: async () => void (await withEngine(connect, (engine) => timerFired(engine, kindsOf(engine), kwargsOf()))), settings: {} });
  registry.register({ name: WAIT_TIMEOUT_TASK, fn: async () => void (await withEngine(connect, (engine) => waitTimedOut(engine, kindsOf(engine), kwargsOf()))), settings: {} });
  registry.register({
    name: MAP_ITEM_TASK,
    fn: async (result: unknown) => {
      const ref = mapItemRefOf(kwargsOf());
      if (!ref) throw new Error(`${MAP_ITEM_TASK} needs kwargs run_id/node/map_task_id/index`);
      await withEngine(connect, (engine) => mapItemDone(engine, kindsOf(engine), ref, result));
    },
    settings: {},
  });
  registry.register({
    name: MAP_FAIL_TASK,
    fn: async (failedTaskId: unknown) => {
      const ref = mapItemRefOf(kwargsOf());
      if (!ref || typeof failedTaskId !== 'string') throw new Error(`${MAP_FAIL_TASK} needs the failed task id and kwargs run_id/node/map_task_id/index`);
      const meta = await (await backend()).getMeta(failedTaskId);
      const exc = (meta?.result ?? { exc_type: 'Error', exc_message: ['the task failed'], exc_module: 'builtins' }) as ExceptionInfo;
      await withEngine(connect, (engine) => mapItemFailed(engine, ref, errorOfException(exc, meta?.traceback ?? null)));
    },
    settings: {},
  });
}

async function withEngine(connect: Connect, act: (engine: WorkflowEngine) => Promise<unknown>): Promise<void> {
  await act((await connect()).engine);
}

/** Handle a map item's callback in-process; false when it is not one. */
export async function inlineKindCallback(connect: Connect, callback: SignatureDict, outcome: CallbackOutcome): Promise<boolean> {
  if (callback.task !== MAP_ITEM_TASK && callback.task !== MAP_FAIL_TASK) return false;
  const ref = mapItemRefOf(callback.kwargs);
  if (!ref) return false;
  const expected = outcome.kind === 'success' ? MAP_ITEM_TASK : MAP_FAIL_TASK;
  if (callback.task !== expected) return true;
  const { engine } = await connect();
  if (outcome.kind === 'success') await mapItemDone(engine, kindsOf(engine), ref, outcome.value);
  else await mapItemFailed(engine, ref, errorOfException(outcome.exc, outcome.traceback));
  return true;
}
