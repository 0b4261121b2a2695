/** Workers (remote control) and schedules pages: tables of whatever the API lists. */
import { api, ApiError } from './api.js';
import { h, replace, time } from './dom.js';

function table(rows: Record<string, unknown>[], columns: string[]): HTMLTableElement {
  const cell = (value: unknown, column: string): string => {
    if (value === undefined || value === null) return '—';
    if (column === 'next' && typeof value === 'string') return time(value);
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
  return h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, cell(row[c], c)))))),
  );
}

function listPage(root: HTMLElement, title: string, path: string, first: string[]): () => void {
  const content = h('div', { 'data-testid': path });
  replace(root, h('h1', {}, title), content);
  api<Record<string, unknown>[]>(path)
    .then((rows) => {
      if (rows.length === 0) return replace(content, h('p', { class: 'muted' }, `No ${title.toLowerCase()}.`));
      const columns = [...new Set([...first, ...rows.flatMap((r) => Object.keys(r))])];
      replace(content, table(rows, columns));
    })
    .catch((error: unknown) => replace(content, h('p', { class: error instanceof ApiError && error.status === 501 ? 'muted' : 'error' }, error instanceof Error ? error.message : String(error))));
  return () => undefined;
}

export const workersPage = (root: HTMLElement): (() => void) => listPage(root, 'Workers', 'workers', ['hostname']);
export const schedulesPage = (root: HTMLElement): (() => void) => listPage(root, 'Schedules', 'schedules', ['id', 'workflow', 'task', 'every', 'cron', 'next']);
