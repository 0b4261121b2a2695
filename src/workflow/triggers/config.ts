/**
 * `app.triggers.configure({...})`: Triggers' directives (`after`, `run`, `unless`, `andEvery`,
 * `withParams`, plus `queue`), checked as a whole: an unknown directive, a wrong value or a cascade
 * cycle (a trigger whose completion leads back to itself) is a {@link TriggerConfigError}.
 * @module
 */
import type { JsonSchema } from '../definition/spec.js';
import { TriggerConfigError } from '../signal-errors.js';
import type { StandardSchemaV1 } from '../standard-schema.js';

/** One configured trigger (Triggers' directives). */
export interface TriggerSpec {
  /** The triggers (fired events, or other triggers' completions) that must all have fired in the session. */
  readonly after: readonly string[];
  /** The task to run (a celeriac task or any task name a Python worker implements). */
  readonly run: string;
  /** If any of these fired before the instance ran, it is abandoned. */
  readonly unless?: readonly string[];
  /** Once `after` is satisfied, one instance per firing of this trigger. */
  readonly andEvery?: string;
  /** Task kwarg → `{ triggerName: kwargName }`: take that kwarg of that trigger's firing. */
  readonly withParams?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Queue of the task. Default: its route. */
  readonly queue?: string;
  /** Validate the task's kwargs (JSON Schema or Standard Schema) before it is sent; invalid: the instance fails with `PayloadError`. */
  readonly schema?: JsonSchema | StandardSchemaV1;
}

/** A whole configuration: trigger name → directives. */
export type TriggersConfig = Readonly<Record<string, TriggerSpec>>;

const DIRECTIVES = ['after', 'run', 'unless', 'andEvery', 'withParams', 'queue', 'schema'];
/** Trigger and event names share one alphabet (no `@`/`#`, which instance ids use). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

function names(trigger: string, directive: string, value: unknown, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) throw new TriggerConfigError(trigger, `'${directive}' must be a ${required ? 'non-empty ' : ''}list of trigger names`);
  for (const name of value) if (typeof name !== 'string' || !NAME.test(name)) throw new TriggerConfigError(trigger, `'${directive}' lists a malformed trigger name ${JSON.stringify(name)}`);
  return value as string[];
}

/** Check one entry; returns it normalized. */
export function checkTrigger(name: string, spec: unknown): TriggerSpec {
  if (!NAME.test(name)) throw new TriggerConfigError(name, "a trigger name uses letters, digits and '_.:-'");
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new TriggerConfigError(name, 'must be a mapping of directives');
  const raw = spec as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!DIRECTIVES.includes(key)) throw new TriggerConfigError(name, `unknown directive '${key}' (known: ${DIRECTIVES.join(', ')})`);
  const after = names(name, 'after', raw['after'], true);
  const unless = names(name, 'unless', raw['unless'], false);
  const run = raw['run'];
  if (typeof run !== 'string' || run.trim() === '') throw new TriggerConfigError(name, "'run' must name a task");
  const andEvery = raw['andEvery'];
  if (andEvery !== undefined && (typeof andEvery !== 'string' || !NAME.test(andEvery))) throw new TriggerConfigError(name, "'andEvery' must be a trigger name");
  const queue = raw['queue'];
  if (queue !== undefined && (typeof queue !== 'string' || queue === '')) throw new TriggerConfigError(name, "'queue' must be a queue name");
  const schema = raw['schema'];
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) throw new TriggerConfigError(name, "'schema' must be a JSON Schema object or a Standard Schema");
  const withParams = raw['withParams'];
  if (withParams !== undefined) {
    if (typeof withParams !== 'object' || withParams === null || Array.isArray(withParams)) throw new TriggerConfigError(name, "'withParams' must map each kwarg to {triggerName: kwargName}");
    for (const [param, source] of Object.entries(withParams)) {
      const entries = typeof source === 'object' && source !== null && !Array.isArray(source) ? Object.entries(source) : [];
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw new TriggerConfigError(name, `'withParams.${param}' must be {triggerName: kwargName}`);
    }
  }
  return {
    after, run, ...(unless.length > 0 ? { unless } : {}), ...(andEvery !== undefined ? { andEvery } : {}),
    ...(withParams !== undefined ? { withParams: withParams as TriggerSpec['withParams'] } : {}), ...(queue !== undefined ? { queue } : {}),
    ...(schema !== undefined ? { schema: schema as TriggerSpec['schema'] } : {}),
  };
}

/**
 * Check a whole configuration for cascade cycles: a finished trigger `T` fires `T`, which starts
 * every trigger listing `T` in `after` or `andEvery`. Throws naming the cycle.
 */
export function checkCycles(config: TriggersConfig): void {
  const next = (name: string): string[] => Object.entries(config).filter(([, spec]) => spec.after.includes(name) || spec.andEvery === name).map(([other]) => other);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new TriggerConfigError(name, `a cascade cycle runs through ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const child of next(name)) visit(child, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(config)) visit(name, []);
}
