/**
 * Celery message protocol v2, as plain types. These are the wire shapes; nothing here does I/O.
 * See shared/celery-wire/README.md §1–§2.
 * @module
 */

/** `subtask_type` of a serialized signature. `null` for a plain task. */
export type SubtaskType = 'chain' | 'group' | 'chord' | 'xmap' | 'xstarmap' | 'chunks';

/** Options of a serialized signature, with Celery's snake_case keys. Unknown keys are kept. */
export interface SignatureOptionsDict {
  task_id?: string;
  group_id?: string;
  group_index?: number | null;
  chord?: SignatureDict | null;
  root_id?: string | null;
  parent_id?: string | null;
  link?: SignatureDict[];
  link_error?: SignatureDict[];
  chain?: SignatureDict[];
  queue?: string;
  exchange?: string;
  routing_key?: string;
  priority?: number;
  countdown?: number;
  eta?: string;
  expires?: string | number;
  time_limit?: number;
  soft_time_limit?: number;
  ignore_result?: boolean;
  serializer?: string;
  retries?: number;
  reply_to?: string;
  shadow?: string;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Celery's signature dict: how a Signature travels inside messages and results. */
export interface SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SignatureOptionsDict;
  subtask_type: SubtaskType | null;
  immutable: boolean;
  chord_size?: number | null;
}

/** The third element of a v2 body: what happens after the task. */
export interface Embed {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  /** Remaining chain steps in REVERSE order: the last element runs next. */
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

/** Task headers (protocol v2). Unknown headers are tolerated and kept. */
export interface TaskHeaders {
  lang: string;
  task: string;
  id: string;
  shadow: string | null;
  eta: string | null;
  expires: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  timelimit: [number | null, number | null];
  root_id: string;
  parent_id: string | null;
  argsrepr: string;
  kwargsrepr: string;
  origin: string;
  ignore_result: boolean;
  [key: string]: unknown;
}

/** Message properties (AMQP basic properties, or the Redis envelope's `properties`). */
export interface TaskProperties {
  correlation_id: string;
  reply_to: string;
  delivery_mode: number;
  priority?: number;
  expiration?: string;
  [key: string]: unknown;
}

/** A decoded task message: headers, properties and the body `[args, kwargs, embed]`. */
export interface TaskMessage {
  headers: TaskHeaders;
  properties: TaskProperties;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: Embed;
}

/** An empty embed (a plain task). */
export function emptyEmbed(): Embed {
  return { callbacks: null, errbacks: null, chain: null, chord: null };
}
