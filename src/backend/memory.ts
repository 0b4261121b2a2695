/**
 * The embedded in-memory result backend (`memory://`, the default). Same semantics as the Redis
 * backend: SUCCESS is never overwritten, waits are push-based, chord counting is atomic and
 * idempotent per task id, revocations are seen by every handle of the same name.
 * @module
 */
import { EventEmitter } from 'node:events';
import { isReady } from '../states.js';
import { setLongTimeout, type LongTimer } from '../timers.js';
import type { SignatureDict } from '../protocol/message.js';
import type { ResultTuple, TaskMeta } from '../protocol/result-meta.js';
import type { AdvanceClaim, ChordPart, ChordProgress, ResultBackend, WaitOptions } from './backend.js';

interface ChordState {
  size: number | undefined;
  /** Parts added to the header after it started (`growChord`). */
  extra: number;
  parts: Map<string, ChordPart>;
  /** The task id whose part completed the chord. */
  completedBy: string | undefined;
}

/** The state shared by every handle of one memory backend name. */
class MemoryResultStore {
  readonly metas = new Map<string, TaskMeta>();
  readonly groups = new Map<string, ResultTuple>();
  readonly chords = new Map<string, ChordState>();
  readonly canvases = new Map<string, SignatureDict>();
  readonly chains = new Map<string, SignatureDict[]>();
  readonly revokedTasks = new Set<string>();
  readonly revokedRoots = new Set<string>();
  readonly advances = new Map<string, 'pending' | 'done'>();
  readonly failures = new Map<string, number>();
  readonly events = new EventEmitter().setMaxListeners(0);
}

const stores = new Map<string, MemoryResultStore>();

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Handles with the same name share results. Default: `'default'` (what `memory://` opens). */
  name?: string;
}

/** In-process result backend; see the module documentation. */
export class MemoryBackend implements ResultBackend {
  readonly kind = 'memory';
  private readonly store: MemoryResultStore;
  /** Pending waits of this handle, each ended by calling it (used by close). */
  private readonly pendingWaits = new Set<() => void>();

  constructor(options: MemoryBackendOptions = {}) {
    const name = options.name ?? 'default';
    let store = stores.get(name);
    if (!store) {
      store = new MemoryResultStore();
      stores.set(name, store);
    }
    this.store = store;
  }

  async connect(): Promise<void> {}

  async storeMeta(meta: TaskMeta): Promise<boolean> {
    if (this.store.metas.get(meta.task_id)?.status === 'SUCCESS') return false;
    const copy = structuredClone(meta);
    this.store.metas.set(meta.task_id, copy);
    this.store.events.emit(meta.task_id, copy);
    return true;
  }

  async getMeta(taskId: string): Promise<TaskMeta | undefined> {
    const meta = this.store.metas.get(taskId);
    return meta && structuredClone(meta);
  }

  async getMetas(taskIds: readonly string[]): Promise<Array<TaskMeta | undefined>> {
    return Promise.all(taskIds.map((id) => this.getMeta(id)));
  }

  waitFor(taskId: string, options: WaitOptions = {}): Promise<TaskMeta | undefined> {
    return new Promise((resolve) => {
      const { events } = this.store;
      let timer: LongTimer | undefined;
      const finish = (meta: TaskMeta | undefined): void => {
        events.off(taskId, onMeta);
        options.signal?.removeEventListener('abort', onAbort);
        timer?.clear();
        this.pendingWaits.delete(onAbort);
        resolve(meta && structuredClone(meta));
      };
      const onMeta = (meta: TaskMeta): void => {
        if (isReady(meta.status)) finish(meta);
      };
      const onAbort = (): void => finish(undefined);
      events.on(taskId, onMeta);
      const current = this.store.metas.get(taskId);
      if (current && isReady(current.status)) return finish(current);
      if (options.signal?.aborted) return finish(undefined);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) timer = setLongTimeout(() => finish(undefined), options.timeoutMs);
      this.pendingWaits.add(onAbort);
    });
  }

  async forget(taskId: string): Promise<void> {
    this.store.metas.delete(taskId);
  }

  async saveGroup(groupId: string, tuple: ResultTuple): Promise<void> {
    this.store.groups.set(groupId, structuredClone(tuple));
  }

  async restoreGroup(groupId: string): Promise<ResultTuple | undefined> {
    const tuple = this.store.groups.get(groupId);
    return tuple && structuredClone(tuple);
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.store.groups.delete(groupId);
  }

  async setChordSize(groupId: string, size: number): Promise<void> {
    this.chordState(groupId).size = size;
  }

  async addChordPart(groupId: string, part: ChordPart): Promise<ChordProgress> {
    const chord = this.chordState(groupId);
    const counted = !chord.parts.has(part.taskId);
    if (counted) chord.parts.set(part.taskId, structuredClone(part));
    if (chord.size === undefined || chord.parts.size < chord.size + chord.extra) return { complete: false, counted };
    chord.completedBy ??= part.taskId;
    if (chord.completedBy !== part.taskId) return { complete: false, counted };
    const parts = [...chord.parts.values()].sort(byHeaderIndex);
    return { complete: true, parts: structuredClone(parts) };
  }

  async growChord(groupId: string, count: number): Promise<void> {
    this.chordState(groupId).extra += count;
  }

  async clearChord(groupId: string): Promise<void> {
    this.store.chords.delete(groupId);
  }

  async revoke(ids: { taskIds?: readonly string[]; rootIds?: readonly string[] }): Promise<void> {
    for (const id of ids.taskIds ?? []) this.store.revokedTasks.add(id);
    for (const id of ids.rootIds ?? []) this.store.revokedRoots.add(id);
  }

  isRevokedNow(taskId: string, rootId?: string): boolean {
    return this.store.revokedTasks.has(taskId) || (rootId !== undefined && this.store.revokedRoots.has(rootId));
  }

  async isRevoked(taskId: string, rootId?: string): Promise<boolean> {
    return this.store.revokedTasks.has(taskId) || (rootId !== undefined && this.store.revokedRoots.has(rootId));
  }

  async storeCanvas(key: string, dict: SignatureDict): Promise<void> {
    this.store.canvases.set(key, structuredClone(dict));
  }

  async loadCanvas(key: string): Promise<SignatureDict | undefined> {
    const dict = this.store.canvases.get(key);
    return dict && structuredClone(dict);
  }

  async storeChain(key: string, steps: readonly SignatureDict[]): Promise<void> {
    this.store.chains.set(key, steps.map((step) => structuredClone(step)));
  }

  async loadChainSteps(key: string, from: number, count: number): Promise<Array<SignatureDict | undefined>> {
    const steps = this.store.chains.get(key);
    return Array.from({ length: Math.max(0, count) }, (_, i) => {
      const step = steps?.[from + i];
      return step && structuredClone(step);
    });
  }

  async claimAdvance(taskId: string): Promise<AdvanceClaim> {
    const found = this.store.advances.get(taskId);
    if (found) return found;
    this.store.advances.set(taskId, 'pending');
    return 'claimed';
  }

  async completeAdvance(taskId: string): Promise<void> {
    this.store.advances.set(taskId, 'done');
  }

  async countHandlingFailure(key: string): Promise<number> {
    const count = (this.store.failures.get(key) ?? 0) + 1;
    this.store.failures.set(key, count);
    return count;
  }

  /** Ends this handle's pending waits with `undefined` (the shared store stays, for other handles). */
  async close(): Promise<void> {
    for (const end of [...this.pendingWaits]) end();
  }

  private chordState(groupId: string): ChordState {
    let chord = this.store.chords.get(groupId);
    if (!chord) {
      chord = { size: undefined, extra: 0, parts: new Map(), completedBy: undefined };
      this.store.chords.set(groupId, chord);
    }
    return chord;
  }
}

/** Header order: by group_index, nulls last, then by task id (as Redis orders the `.j` zset). */
export function byHeaderIndex(a: ChordPart, b: ChordPart): number {
  const ai = a.index ?? Number.POSITIVE_INFINITY;
  const bi = b.index ?? Number.POSITIVE_INFINITY;
  if (ai !== bi) return ai - bi;
  return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}
