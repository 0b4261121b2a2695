/** The REST API, relative to the page (so the dashboard works under a proxy path prefix). */

export type RunStatus = 'pending' | 'progress' | 'success' | 'error' | 'canceled';

export interface Run {
  id: string;
  created: string;
  updated: string;
  name: string;
  project: string;
  fullname: string;
  status: RunStatus;
  periodic: boolean;
  comment?: string;
  payload?: unknown;
}

export interface TaskRow {
  id: string;
  created: string;
  updated: string;
  key: string;
  status: string;
  task: string;
  previous: string[];
  result: unknown;
  name: string;
  error: { type: string; message: string; traceback: string | null } | null;
  retries: number;
  started: string | null;
  finished: string | null;
}

export interface RunDetail extends Run {
  tasks: TaskRow[];
}

export interface Definition {
  fullname: string;
  project: string;
  name: string;
  description?: string;
  schema?: Record<string, unknown>;
  periodic?: Record<string, unknown>;
  graph: { nodes: { key: string; task: string; after: string[]; input?: 'none' | 'single' | 'list'; kwargs?: Record<string, unknown> }[] };
}

export interface RunEvent {
  kind: 'run';
  runId: string;
  fullname: string;
  status: RunStatus;
  at: string;
}

export interface NodeEvent {
  kind: 'node';
  runId: string;
  node: string;
  taskId: string;
  status: string;
  at: string;
}

/** An API error: the status and the server's JSON body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; errors?: string[] } & Record<string, unknown>,
  ) {
    super(body.error ?? `HTTP ${status}`);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`api/${path}`, {
    method: init.method ?? 'GET',
    headers: init.body !== undefined ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text };
  }
  if (!res.ok) throw new ApiError(res.status, (body ?? {}) as ApiError['body']);
  return body as T;
}

export const FINAL = ['success', 'error', 'canceled'];
