/**
 * The in-memory {@link SignalStore}: maps keyed by (name, key) and by map attempt. Every verb runs
 * synchronously inside one call, hence atomically in a single-threaded process. Stores of the same
 * name share their data (like the memory workflow store).
 * @module
 */
import type { MapProgress, RetainedEvent, SignalStore, TriggerInstance, TriggerSession, TriggerStatus, WaitEntry } from './signals.js';

interface Shared {
  waits: Map<string, Map<string, WaitEntry>>;
  retained: Map<string, RetainedEvent & { expiresAt: number }>;
  maps: Map<string, { total: number; results: Map<number, unknown> }>;
  sessions: Map<string, { fired: Map<string, unknown[]>; instances: Map<string, TriggerInstance> }>;
}

const shared = new Map<string, Shared>();
const SEP = '\x1f';
const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
const entryId = (entry: WaitEntry): string => `${entry.runId}${SEP}${entry.node}${SEP}${entry.taskId}`;

/** See the module documentation. */
export class MemorySignalStore implements SignalStore {
  private readonly data: Shared;

  constructor(name = 'default') {
    let data = shared.get(name);
    if (!data) {
      data = { waits: new Map(), retained: new Map(), maps: new Map(), sessions: new Map() };
      shared.set(name, data);
    }
    this.data = data;
  }

  async armWait(name: string, key: string, entry: WaitEntry, since: number): Promise<RetainedEvent | undefined> {
    const id = `${name}${SEP}${key}`;
    const retained = this.data.retained.get(id);
    if (retained && retained.expiresAt <= Date.now()) this.data.retained.delete(id);
    else if (retained && retained.at >= since) return { data: clone(retained.data), at: retained.at };
    let waits = this.data.waits.get(id);
    if (!waits) this.data.waits.set(id, (waits = new Map()));
    waits.set(entryId(entry), { ...entry });
    return undefined;
  }

  async disarmWait(name: string, key: string, entry: WaitEntry): Promise<void> {
    const id = `${name}${SEP}${key}`;
    const waits = this.data.waits.get(id);
    waits?.delete(entryId(entry));
    if (waits?.size === 0) this.data.waits.delete(id);
  }

  async fire(name: string, key: string, event: RetainedEvent, retainSeconds: number): Promise<WaitEntry[]> {
    const id = `${name}${SEP}${key}`;
    if (retainSeconds > 0) this.data.retained.set(id, { data: clone(event.data), at: event.at, expiresAt: Date.now() + retainSeconds * 1000 });
    const waits = this.data.waits.get(id);
    this.data.waits.delete(id);
    return waits ? [...waits.values()] : [];
  }

  async mapStart(runId: string, node: string, taskId: string, total: number): Promise<void> {
    const id = `${runId}${SEP}${node}${SEP}${taskId}`;
    if (!this.data.maps.has(id)) this.data.maps.set(id, { total, results: new Map() });
  }

  async mapItem(runId: string, node: string, taskId: string, index: number, result: unknown): Promise<MapProgress> {
    const id = `${runId}${SEP}${node}${SEP}${taskId}`;
    const map = this.data.maps.get(id);
    if (!map || index < 0 || index >= map.total) return { counted: false, done: 0, total: map?.total ?? 0 };
    const counted = !map.results.has(index);
    if (counted) map.results.set(index, clone(result ?? null));
    const done = map.results.size;
    if (done < map.total) return { counted, done, total: map.total };
    const results = Array.from({ length: map.total }, (_, i) => clone(map.results.get(i)));
    // In one process the settle that follows cannot be lost: the counter is no longer needed.
    this.data.maps.delete(id);
    return { counted, done, total: map.total, results };
  }

  async recordFiring(session: string, name: string, kwargs: unknown): Promise<number> {
    const fired = this.session(session).fired;
    const list = fired.get(name) ?? [];
    fired.set(name, list);
    list.push(clone(kwargs ?? null));
    return list.length;
  }

  async readSession(session: string): Promise<TriggerSession> {
    const data = this.data.sessions.get(session);
    if (!data) return { fired: {}, instances: {} };
    return clone({ fired: Object.fromEntries(data.fired), instances: Object.fromEntries(data.instances) });
  }

  async createInstance(instance: TriggerInstance): Promise<boolean> {
    const instances = this.session(instance.session).instances;
    if (instances.has(instance.id)) return false;
    instances.set(instance.id, clone(instance));
    return true;
  }

  async updateInstance(next: TriggerInstance, from: readonly TriggerStatus[]): Promise<boolean> {
    const instances = this.session(next.session).instances;
    const current = instances.get(next.id);
    if (!current || !from.includes(current.status)) return false;
    instances.set(next.id, clone(next));
    return true;
  }

  private session(session: string): { fired: Map<string, unknown[]>; instances: Map<string, TriggerInstance> } {
    let data = this.data.sessions.get(session);
    if (!data) this.data.sessions.set(session, (data = { fired: new Map(), instances: new Map() }));
    return data;
  }
}
