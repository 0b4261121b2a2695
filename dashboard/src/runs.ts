/** The runs list: status and name filters, search by id, live updates over SSE. */
import { api, type Run, type RunEvent } from './api.js';
import { badge, h, replace, time } from './dom.js';
import { subscribe } from './live.js';

const STATUSES = ['', 'pending', 'progress', 'success', 'error', 'canceled'];

export function runsPage(root: HTMLElement, params: URLSearchParams): () => void {
  const status = params.get('status') ?? '';
  const name = params.get('name') ?? '';
  const rows = new Map<string, HTMLTableRowElement>();
  const tbody = h('tbody', { 'data-testid': 'runs' });
  const count = h('span', { class: 'muted' });
  const message = h('p', { class: 'error' });

  const go = (next: Record<string, string>): void => {
    const query = new URLSearchParams({ ...Object.fromEntries(params), ...next });
    for (const [k, v] of [...query]) if (!v) query.delete(k);
    location.hash = `#/?${query.toString()}`;
  };
  const statusSelect = h('select', { 'data-testid': 'status-filter', onchange: (e: Event) => go({ status: (e.target as HTMLSelectElement).value }) }, ...STATUSES.map((s) => h('option', { value: s, selected: s === status }, s || 'any status')));
  const nameInput = h('input', { placeholder: 'project.NAME', value: name, 'data-testid': 'name-filter', onchange: (e: Event) => go({ name: (e.target as HTMLInputElement).value.trim() }) });
  const idInput = h('input', { placeholder: 'run id', 'data-testid': 'id-search' });
  const search = h('form', { class: 'inline', onsubmit: (e: Event) => {
    e.preventDefault();
    const id = idInput.value.trim();
    if (id) location.hash = `#/runs/${encodeURIComponent(id)}`;
  } }, idInput, h('button', { type: 'submit' }, 'Open'));

  const row = (run: Pick<Run, 'id' | 'fullname' | 'status' | 'created' | 'updated'> & { comment?: string | undefined }): HTMLTableRowElement =>
    h('tr', { 'data-id': run.id },
      h('td', {}, h('a', { href: `#/runs/${run.id}`, class: 'mono' }, run.id)),
      h('td', {}, run.fullname),
      h('td', { class: 'status' }, badge(run.status)),
      h('td', {}, time(run.created)),
      h('td', { class: 'updated' }, time(run.updated)),
      h('td', { class: 'muted' }, run.comment ?? ''),
    );
  const updateCount = (): void => void (count.textContent = `${rows.size} run${rows.size === 1 ? '' : 's'}`);

  replace(root,
    h('section', { class: 'toolbar' }, h('h1', {}, 'Runs'), statusSelect, nameInput, search, count),
    message,
    h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ...['Id', 'Workflow', 'Status', 'Created', 'Updated', 'Comment'].map((t) => h('th', {}, t)))), tbody),
  );

  const query = new URLSearchParams({ per_page: '1000', with_payload: 'false' });
  if (status) query.set('status', status);
  if (name) query.set('name', name);
  api<Run[]>(`workflows?${query.toString()}`)
    .then((runs) => {
      const fragment = document.createDocumentFragment();
      for (const run of runs) {
        if (rows.has(run.id)) continue;
        const tr = row(run);
        rows.set(run.id, tr);
        fragment.appendChild(tr);
      }
      tbody.appendChild(fragment);
      updateCount();
    })
    .catch((error: Error) => void (message.textContent = error.message));

  return subscribe('events', {
    run: (data) => {
      const event = data as RunEvent;
      const existing = rows.get(event.runId);
      if (existing) {
        existing.querySelector('.status')?.replaceChildren(badge(event.status));
        existing.querySelector('.updated')!.textContent = time(event.at);
        if (status && event.status !== status) {
          existing.remove();
          rows.delete(event.runId);
          updateCount();
        }
        return;
      }
      if ((status && event.status !== status) || (name && event.fullname !== name && !event.fullname.endsWith(`.${name}`))) return;
      const tr = row({ id: event.runId, fullname: event.fullname, status: event.status, created: event.at, updated: event.at });
      rows.set(event.runId, tr);
      tbody.prepend(tr);
      updateCount();
    },
  });
}
