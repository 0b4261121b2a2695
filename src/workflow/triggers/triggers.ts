/**
 * `app.triggers` (WORKFLOWS.md §W6, Triggers' standalone style): tasks that run once named
 * triggers have fired in a session (`app.fire(name, kwargs, { key: session })`), abandoned when an
 * `unless` trigger fired first, repeated with `andEvery`, given kwargs picked by `withParams`. A
 * finished instance fires a trigger named after its own trigger with the mapping it returned
 * (cascading). Failed instances can be replayed with replacement kwargs or skipped with a simulated
 * result. Every firing is recorded atomically in the store and instances are created under
 * deterministic ids and moved by compare-and-set, so concurrent fires start each instance once.
 * @module
 */
import { newId } from '../../ids.js';
import type { Logger } from '../../logger.js';
import type { SignatureDict } from '../../protocol/message.js';
import { PayloadError, formatProblem } from '../errors.js';
import { createAjv, isStandardSchema, jsonSchemaValidator, standardSchemaValidator, type PayloadValidator } from '../payload.js';
import { TriggerConfigError, TriggerInstanceError } from '../signal-errors.js';
import type { SignalStore, TriggerInstance, TriggerSession, TriggerStatus } from '../store/signals.js';
import { checkCycles, checkTrigger, type TriggerSpec, type TriggersConfig } from './config.js';
import { TRIGGER_DONE_TASK, TRIGGER_FAIL_TASK } from './current.js';

/** What `app.triggers` needs from its app. */
export interface TriggersHost {
  signals(): Promise<SignalStore>;
  /** Publish one task message (a signature dict with options). */
  send(dict: SignatureDict): Promise<void>;
  revoke(taskIds: readonly string[]): Promise<void>;
  /** `app.fire` (cascades go through it, so they also reach waiting workflow nodes). */
  fire(name: string, data: unknown, options: { key: string }): Promise<unknown>;
  readonly expiresSeconds: number;
  readonly callbackQueue: string;
  readonly logger: Logger;
}

const OPEN: readonly TriggerStatus[] = ['unstarted', 'scheduled'];

/** Split an instance id into its trigger and session. */
function parseId(id: string): { trigger: string; base: string; session: string } {
  const at = id.indexOf('@');
  const hash = id.indexOf('#');
  if (at < 0 || hash < 0 || hash > at) throw new TriggerInstanceError(id, "not an instance id ('trigger#n@session')");
  return { trigger: id.slice(0, hash), base: id.slice(0, at).replace(/~\d+$/, ''), session: id.slice(at + 1) };
}

/** See the module documentation. */
export class Triggers {
  private config: Record<string, TriggerSpec> = {};
  private readonly validators = new Map<string, PayloadValidator>();

  constructor(private readonly host: TriggersHost) {}

  /** Add (or replace) triggers. Throws `TriggerConfigError` (unknown directive, bad value, cycle); nothing changes then. */
  configure(config: Readonly<Record<string, unknown>>): void {
    const next: Record<string, TriggerSpec> = { ...this.config };
    for (const [name, spec] of Object.entries(config)) next[name] = checkTrigger(name, spec);
    checkCycles(next);
    const validators = new Map<string, PayloadValidator>();
    for (const name of Object.keys(config)) {
      const schema = next[name]!.schema;
      if (schema === undefined) continue;
      try {
        validators.set(name, isStandardSchema(schema) ? standardSchemaValidator(schema) : jsonSchemaValidator(createAjv(), schema as Record<string, unknown>));
      } catch (error) {
        throw new TriggerConfigError(name, `'schema' is not a valid JSON Schema: ${(error as Error).message}`);
      }
    }
    for (const name of Object.keys(config)) {
      const validator = validators.get(name);
      if (validator) this.validators.set(name, validator);
      else this.validators.delete(name);
    }
    this.config = next;
  }

  /** The configured triggers. */
  get configured(): TriggersConfig {
    return this.config;
  }

  /** Every instance of a session, oldest first. */
  async instances(session: string | number): Promise<TriggerInstance[]> {
    const state = await (await this.host.signals()).readSession(String(session));
    return Object.values(state.instances).sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  /** One instance, or undefined. */
  async get(id: string): Promise<TriggerInstance | undefined> {
    const { session } = parseId(id);
    return (await (await this.host.signals()).readSession(session)).instances[id];
  }

  /** @internal A trigger fired (called by `app.fire`): record it, abandon, create and start instances. Returns the ids started. */
  async fired(name: string, session: string, kwargs: unknown): Promise<string[]> {
    const relevant = Object.entries(this.config).filter(([, s]) => s.after.includes(name) || s.unless?.includes(name) || s.andEvery === name);
    if (relevant.length === 0) return [];
    const signals = await this.host.signals();
    await signals.recordFiring(session, name, kwargs, this.host.expiresSeconds);
    const state = await signals.readSession(session);
    const started: string[] = [];
    for (const [trigger, spec] of relevant) started.push(...(await this.advance(signals, state, session, trigger, spec)));
    return started;
  }

  private async advance(signals: SignalStore, state: TriggerSession, session: string, trigger: string, spec: TriggerSpec): Promise<string[]> {
    const fired = (name: string) => (state.fired[name]?.length ?? 0) > 0;
    const unless = (spec.unless ?? []).some(fired);
    if (unless) {
      const open = Object.values(state.instances).filter((i) => i.trigger === trigger && OPEN.includes(i.status));
      for (const instance of open) {
        if ((await signals.updateInstance({ ...instance, status: 'abandoned', updated: Date.now() }, OPEN)) && instance.taskId) await this.host.revoke([instance.taskId]);
      }
    }
    const count = spec.andEvery !== undefined ? (state.fired[spec.andEvery]?.length ?? 0) : spec.after.some(fired) ? 1 : 0;
    const ready = spec.after.every(fired) && !unless;
    const started: string[] = [];
    for (let n = 1; n <= count; n += 1) {
      const id = `${trigger}#${n}@${session}`;
      let instance = state.instances[id];
      if (!instance) {
        const now = Date.now();
        instance = { id, trigger, session, status: unless ? 'abandoned' : 'unstarted', task: spec.run, taskId: null, kwargs: null, result: null, error: null, replayOf: null, replacedBy: null, created: now, updated: now };
        await signals.createInstance(instance, this.host.expiresSeconds);
      }
      if (ready && instance.status === 'unstarted' && (await this.schedule(signals, instance, spec, this.context(state, spec, n), ['unstarted']))) started.push(id);
    }
    return started;
  }

  /** Every trigger's kwargs in the session (latest firing; `andEvery`: firing `n`). */
  private context(state: TriggerSession, spec: TriggerSpec, n: number): Record<string, unknown> {
    const triggers: Record<string, unknown> = {};
    for (const [name, list] of Object.entries(state.fired)) triggers[name] = list[list.length - 1] ?? null;
    if (spec.andEvery !== undefined) triggers[spec.andEvery] = state.fired[spec.andEvery]?.[n - 1] ?? null;
    return triggers;
  }

  private async schedule(signals: SignalStore, instance: TriggerInstance, spec: TriggerSpec, triggers: Record<string, unknown>, from: readonly TriggerStatus[], replacement?: Record<string, unknown>): Promise<boolean> {
    const kwargs = replacement ?? paramsOf(spec, triggers);
    const problems = (await this.validators.get(instance.trigger)?.(kwargs)) ?? [];
    if (problems.length > 0) {
      const error = new PayloadError(instance.trigger, problems);
      const message = `kwargs are not valid: ${problems.map(formatProblem).join('; ')}`;
      await signals.updateInstance({ ...instance, status: 'failed', kwargs, error: { type: error.name, message, traceback: null }, updated: Date.now() }, from);
      return false;
    }
    const next: TriggerInstance = { ...instance, status: 'scheduled', taskId: newId(), kwargs, updated: Date.now() };
    if (!(await signals.updateInstance(next, from))) return false;
    const callback = (task: string): SignatureDict => ({
      task, args: [], kwargs: { instance: next.id, trigger: next.trigger, session: next.session, triggers }, options: { queue: this.host.callbackQueue }, subtask_type: null, immutable: false,
    });
    await this.host.send({
      task: spec.run, args: [], kwargs, subtask_type: null, immutable: false,
      options: { task_id: next.taskId!, ...(spec.queue ? { queue: spec.queue } : {}), link: [callback(TRIGGER_DONE_TASK)], link_error: [callback(TRIGGER_FAIL_TASK)] },
    });
    return true;
  }

  /** @internal The instance's task started. */
  async started(id: string): Promise<void> {
    const instance = await this.get(id);
    if (instance) await (await this.host.signals()).updateInstance({ ...instance, status: 'running', updated: Date.now() }, ['scheduled']);
  }

  /** @internal The instance's task finished with `result`: record it and cascade. */
  async finished(id: string, result: unknown): Promise<void> {
    const instance = await this.get(id);
    if (!instance) return;
    const next = { ...instance, status: 'finished' as const, result: result ?? null, updated: Date.now() };
    if (await (await this.host.signals()).updateInstance(next, ['scheduled', 'running'])) await this.cascade(next, result);
  }

  /** @internal The instance's task failed for good. */
  async failed(id: string, error: NonNullable<TriggerInstance['error']>): Promise<void> {
    const instance = await this.get(id);
    if (instance) await (await this.host.signals()).updateInstance({ ...instance, status: 'failed', error, updated: Date.now() }, ['scheduled', 'running']);
  }

  /** Run a failed instance again (a new instance; the old one becomes `replayed`), with replacement kwargs if given. Returns the new id. */
  async replay(id: string, kwargs?: Record<string, unknown>): Promise<string> {
    const instance = await this.failedInstance(id);
    const spec = this.config[instance.trigger];
    if (!spec) throw new TriggerInstanceError(id, `trigger '${instance.trigger}' is not configured in this app`);
    const { base, session } = parseId(id);
    const signals = await this.host.signals();
    const replays = Object.keys((await signals.readSession(session)).instances).filter((other) => other.startsWith(`${base}~`)).length;
    const replayId = `${base}~${replays + 1}@${session}`;
    if (!(await signals.updateInstance({ ...instance, status: 'replayed', replacedBy: replayId, updated: Date.now() }, ['failed']))) throw new TriggerInstanceError(id, 'it changed meanwhile');
    const now = Date.now();
    const fresh: TriggerInstance = { ...instance, id: replayId, status: 'unstarted', taskId: null, result: null, error: null, replayOf: id, replacedBy: null, created: now, updated: now };
    await signals.createInstance(fresh, this.host.expiresSeconds);
    const state = await signals.readSession(session);
    await this.schedule(signals, fresh, spec, this.context(state, spec, Number(base.slice(base.indexOf('#') + 1))), ['unstarted'], kwargs ?? { ...(instance.kwargs ?? {}) });
    return replayId;
  }

  /** Mark a failed instance `skipped` with a simulated result; it cascades like a finished one unless `cascade: false`. */
  async skip(id: string, result: unknown = {}, options: { cascade?: boolean } = {}): Promise<void> {
    const instance = await this.failedInstance(id);
    const next = { ...instance, status: 'skipped' as const, result, updated: Date.now() };
    if (!(await (await this.host.signals()).updateInstance(next, ['failed']))) throw new TriggerInstanceError(id, 'it changed meanwhile');
    if (options.cascade ?? true) await this.cascade(next, result);
  }

  private async failedInstance(id: string): Promise<TriggerInstance> {
    const instance = await this.get(id);
    if (!instance) throw new TriggerInstanceError(id, 'no such instance');
    if (instance.status !== 'failed') throw new TriggerInstanceError(id, `it is ${instance.status}; only failed instances can be replayed or skipped`);
    return instance;
  }

  private async cascade(instance: TriggerInstance, result: unknown): Promise<void> {
    const mapping = typeof result === 'object' && result !== null && !Array.isArray(result) ? result : { result: result ?? null };
    await this.host.fire(instance.trigger, mapping, { key: instance.session });
  }
}

/** The task's kwargs from `withParams`: each kwarg from one trigger's kwargs. */
function paramsOf(spec: TriggerSpec, triggers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kwargs: Record<string, unknown> = {};
  for (const [param, source] of Object.entries(spec.withParams ?? {})) {
    const [trigger, kwarg] = Object.entries(source)[0]!;
    const fired = triggers[trigger];
    if (typeof fired === 'object' && fired !== null && kwarg in fired) kwargs[param] = (fired as Record<string, unknown>)[kwarg];
  }
  return kwargs;
}
