/**
 * celeriac: Celery-style task workflows for TypeScript, wire-compatible with Python Celery 5.
 *
 * @example
 * ```ts
 * import { Celeriac, chain, group, chord } from 'celeriac';
 *
 * const app = new Celeriac();            // embedded memory:// broker and backend
 * const add = app.task('add', (x: number, y: number) => x + y);
 * const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
 * const worker = await app.worker().start();
 *
 * await (await add.s(2, 2).pipe(add.s(4), add.s(8)).applyAsync()).get({ timeout: 5_000 }); // 16
 * await (await group(add.s(1, 1), add.s(2, 2)).applyAsync()).join();                      // [2, 4]
 * await (await chord([add.s(1, 1), add.s(2, 2)], xsum.s()).applyAsync()).get();            // 6
 * await worker.stop(); await app.close();
 * ```
 * @module
 */
export { Celeriac, type CeleriacOptions } from './app.js';
export type { Continuations } from './publish/publisher.js';
export { Task, type StoredResult } from './task.js';
export { Canvas, type AnyCanvas, type ApplyCall, type ResultOf } from './canvas/canvas.js';
export { Signature } from './canvas/signature.js';
export { Chain, chain } from './canvas/chain.js';
export { Group, group, type ResultsOf } from './canvas/group.js';
export { Chord, chord, type ChordHeader } from './canvas/chord.js';
export { Chunks, XMap, XStarmap } from './canvas/map.js';
export { signatureFromDict } from './canvas/from-dict.js';
export type { SignatureOptions } from './canvas/options.js';
export { AsyncResult, type GetOptions } from './result/async-result.js';
export { GroupResult } from './result/group-result.js';
export { Worker, type WorkerOptions, type WorkerState } from './worker/worker.js';
export { currentTask, type TaskContext, type RetryOptions } from './worker/context.js';
export type { DeliveryInfo } from './worker/delivery-info.js';
export type { Sendable } from './worker/add-to-chord.js';
export type { TaskSettings } from './worker/registry.js';
export type { Broker, Delivery, WireMessage, PublishTarget, ConsumeOptions, Consumer, DeadLetter } from './broker/broker.js';
export type { ResultBackend, ChordPart, ChordProgress, WaitOptions } from './backend/backend.js';
export { MemoryBroker } from './broker/memory.js';
export { MemoryBackend } from './backend/memory.js';
export type { TaskMeta, ExceptionInfo, ResultTuple } from './protocol/result-meta.js';
export type { SignatureDict, TaskMessage, TaskHeaders } from './protocol/message.js';
export { States, type TaskState } from './states.js';
export { LevelledLogger, parseLogLevel, type LogContext, type LogFn, type Logger, type LogLevel } from './logger.js';
export { consoleLogger, textLogger, type TextLoggerOptions } from './logger-text.js';
export * from './errors.js';
export { Workflows, type WorkflowHandle, type PayloadOf } from './workflow/workflows.js';
export { WorkflowRun } from './workflow/run-handle.js';
export { currentWorkflow, type WorkflowContext } from './workflow/current.js';
export type { WorkflowDefinition } from './workflow/definition/definitions.js';
export type { WorkflowInput, TaskItem, NestedSpec, NodeSpec, JoinPolicy, PeriodicSpec, SchemaInput, JsonSchema, WorkflowGraph, GraphNode } from './workflow/definition/spec.js';
export type { StandardSchemaV1 } from './workflow/standard-schema.js';
export type { WorkflowStore } from './workflow/store/store.js';
export { MemoryWorkflowStore } from './workflow/store/memory.js';
export type { EventQuery } from './workflow/event-hub.js';
export * from './workflow/types.js';
export * from './workflow/errors.js';
export { Schedules } from './schedule/schedules.js';
export { Beat, type BeatOptions, type Clock, type TickReport } from './schedule/beat.js';
export { ScheduleError, UnknownScheduleError } from './schedule/errors.js';
export type { ScheduleSpec, ScheduleEntry, ScheduleInfo, FireRecord, FireState, CatchUp, Overlap } from './schedule/types.js';
export type { ScheduleStore } from './schedule/store/store.js';
export { MemoryScheduleStore } from './schedule/store/memory.js';
export * from './workflow/signal-errors.js';
export type { FireOptions, FireOutcome } from './workflow/fire.js';
export type { SignalStore, WaitEntry, RetainedEvent, MapProgress } from './workflow/store/signals.js';
export { Triggers, type TriggersHost } from './workflow/triggers/triggers.js';
export type { TriggerSpec, TriggersConfig } from './workflow/triggers/config.js';
export { currentTrigger, type TriggerContext } from './workflow/triggers/current.js';
export type { TriggerInstance, TriggerSession, TriggerStatus } from './workflow/store/signals.js';
export { Signals, type SignalListener, type SignalMap, type SignalName, type TaskEndState, type TaskSignalBase } from './worker/signals.js';
