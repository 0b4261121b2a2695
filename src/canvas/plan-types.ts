/**
 * What applying a canvas produces: the messages to publish, the chord sizes to record first, and the
 * shape of the result (ids of tasks and groups, with parent links).
 * @module
 */
import type { SignatureDict, SignatureOptionsDict, TaskMessage } from '../protocol/message.js';
import type { SerializerName } from '../protocol/serializer.js';

/** The result shape of an applied canvas: a task or a group, with its parent (chain predecessor). */
export type ResultNode =
  | { kind: 'task'; id: string; parent?: ResultNode }
  | { kind: 'group'; id: string; children: ResultNode[]; parent?: ResultNode };

/** One message to publish. */
export interface PlannedMessage {
  queue: string;
  priority: number | undefined;
  serializer: SerializerName;
  message: TaskMessage;
}

/** Everything one apply does: record chord sizes, then publish messages. */
export interface Plan {
  messages: PlannedMessage[];
  chordSizes: Array<{ groupId: string; size: number }>;
}

/** App settings the planner needs. */
export interface PlanConfig {
  /** Queue for tasks without a route or `queue` option. */
  defaultQueue: string;
  /** The queue configured for a task name, if any. */
  route(taskName: string): string | undefined;
  /** Default body serializer. */
  serializer: SerializerName;
  /** Producer node name for the `origin` header. */
  origin: string;
  /** Opaque `reply_to` property value. */
  replyTo: string;
  /** Current time in epoch ms (injectable for tests). */
  now(): number;
}

/** The context one canvas node is applied in (what its parent, group or chain gives it). */
export interface ApplyContext {
  /** Partial args, prepended to mutable signatures' args. */
  args: readonly unknown[];
  /** Partial kwargs, merged over mutable signatures' kwargs. */
  kwargs: Readonly<Record<string, unknown>>;
  /** Call-level options, merged over each message's own. */
  options: SignatureOptionsDict;
  parentId: string | null;
  rootId: string | undefined;
  /** Remaining chain steps, reversed (the last runs next). */
  chain: SignatureDict[] | null;
  /** Membership of an enclosing group / chord header. */
  groupId: string | undefined;
  groupIndex: number | undefined;
  /** The chord body this node reports to. */
  chord: SignatureDict | undefined;
  link: SignatureDict[];
  linkError: SignatureDict[];
}

/** An empty context for a top-level apply. */
export function rootContext(overrides: Partial<ApplyContext> = {}): ApplyContext {
  return {
    args: [],
    kwargs: {},
    options: {},
    parentId: null,
    rootId: undefined,
    chain: null,
    groupId: undefined,
    groupIndex: undefined,
    chord: undefined,
    link: [],
    linkError: [],
    ...overrides,
  };
}
