/** A run: its DAG coloured by node state (live), a node panel, Cancel / Relaunch / Resume. */
import { api, ApiError, FINAL, type Definition, type NodeEvent, type RunDetail, type RunEvent, type TaskRow } from './api.js';
import { badge, h, pretty, replace, time } from './dom.js';
import { drawGraph, type DrawnGraph } from './graph.js';
import { subscribe } from './live.js';

export function runPage(root: HTMLElement, id: string): () => void {
  let run: RunDetail | undefined;
  let graph: DrawnGraph | undefined;
  let selected: string | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let definition: Definition | undefined;
  const head = h('section', { class: 'run-head' });
  const message = h('p', { class: 'error', 'data-testid': 'message' });
  const canvas = h('div', { class: 'graph' });
  const panel = h('aside', { class: 'panel', 'data-testid': 'node-panel' }, h('p', { class: 'muted' }, 'Click a node to see its details.'));
  replace(root, head, message, h('div', { class: 'run-body' }, canvas, panel));

  const act = async (action: 'cancel' | 'relaunch' | 'resume'): Promise<void> => {
    message.textContent = '';
    try {
      const result = await api<{ id: string }>(`workflows/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
      if (action === 'relaunch') location.hash = `#/runs/${result.id}`;
      else scheduleRefresh(0);
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  const renderHead = (): void => {
    if (!run) return;
    const final = FINAL.includes(run.status);
    replace(head,
      h('h1', {}, run.fullname, ' ', h('span', { 'data-testid': 'run-status' }, badge(run.status))),
      h('p', { class: 'mono muted' }, run.id),
      h('div', { class: 'actions' },
        h('button', { 'data-testid': 'cancel', disabled: final, onclick: () => void act('cancel') }, 'Cancel'),
        h('button', { 'data-testid': 'relaunch', onclick: () => void act('relaunch') }, 'Relaunch'),
        h('button', { 'data-testid': 'resume', disabled: run.status !== 'error' && run.status !== 'canceled', onclick: () => void act('resume') }, 'Resume'),
      ),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Created'), h('dd', {}, time(run.created)),
        h('dt', {}, 'Updated'), h('dd', {}, time(run.updated)),
        run.comment ? h('dt', {}, 'Comment') : null, run.comment ? h('dd', {}, run.comment) : null,
        h('dt', {}, 'Payload'), h('dd', {}, h('pre', {}, pretty(run.payload))),
      ),
    );
  };

  const decide = async (node: string, decision: 'approve' | 'reject'): Promise<void> => {
    try {
      await api(`workflows/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/${decision}`, { method: 'POST', body: {} });
      scheduleRefresh(0);
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  };

  const renderPanel = (): void => {
    const task: TaskRow | undefined = run?.tasks.find((t) => t.key === selected);
    if (!task) return;
    const spec = definition?.graph.nodes.find((n) => n.key === task.key);
    const receives = spec?.input === 'single' ? `the result of ${spec.after.join('')}` : spec?.input === 'list' ? `the results of ${spec.after.join(', ')}, as a list` : 'no parent result';
    replace(panel,
      h('h2', {}, task.key, ' ', badge(task.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Task'), h('dd', { class: 'mono' }, task.name),
        h('dt', {}, 'Task id'), h('dd', { class: 'mono' }, task.id),
        h('dt', {}, 'Arguments'), h('dd', { 'data-testid': 'node-args' }, receives, h('pre', {}, pretty({ ...(spec?.kwargs ?? {}), payload: run?.payload, workflow_id: run?.id }))),
        h('dt', {}, 'Retries'), h('dd', {}, task.retries),
        h('dt', {}, 'Started'), h('dd', {}, time(task.started)),
        h('dt', {}, 'Finished'), h('dd', {}, time(task.finished)),
      ),
      task.status === 'waiting'
        ? h('div', { class: 'actions' }, h('button', { 'data-testid': 'approve', onclick: () => void decide(task.key, 'approve') }, 'Approve'), h('button', { 'data-testid': 'reject', onclick: () => void decide(task.key, 'reject') }, 'Reject'))
        : null,
      task.status === 'success' ? h('div', {}, h('h3', {}, 'Result'), h('pre', { 'data-testid': 'node-result' }, pretty(task.result))) : null,
      task.error
        ? h('div', {}, h('h3', {}, 'Error'), h('p', { class: 'error' }, `${task.error.type}: ${task.error.message}`), task.error.traceback ? h('pre', { class: 'traceback' }, task.error.traceback) : null)
        : null,
    );
  };

  const select = (key: string): void => {
    selected = key;
    graph?.select(key);
    renderPanel();
  };

  const apply = (fresh: RunDetail): void => {
    const shapeChanged = !run || run.tasks.map((t) => t.key).join('\n') !== fresh.tasks.map((t) => t.key).join('\n');
    run = fresh;
    if (shapeChanged) {
      const byId = new Map(fresh.tasks.map((t) => [t.id, t.key]));
      const nodes = fresh.tasks.map((t) => ({ key: t.key, label: t.name, status: t.status, after: t.previous.map((p) => byId.get(p) ?? '').filter(Boolean) }));
      graph = drawGraph(nodes, select);
      replace(canvas, graph.element);
    } else for (const task of fresh.tasks) graph?.setStatus(task.key, task.status);
    graph?.select(selected);
    renderHead();
    renderPanel();
  };

  function scheduleRefresh(delay = 250): void {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      api<RunDetail>(`workflows/${encodeURIComponent(id)}`).then(apply, (error: Error) => void (message.textContent = error.message));
    }, delay);
  }

  api<RunDetail>(`workflows/${encodeURIComponent(id)}`).then((fresh) => {
    apply(fresh);
    api<Definition[]>('definitions').then((all) => {
      definition = all.find((d) => d.fullname === fresh.fullname);
      renderPanel();
    }, () => undefined);
  }, (error: unknown) => {
    replace(head, h('h1', {}, 'Run not found'));
    message.textContent = error instanceof ApiError ? error.message : String(error);
  });

  const stop = subscribe(`workflows/${encodeURIComponent(id)}/events`, {
    snapshot: (data) => apply(data as RunDetail),
    node: (data) => {
      const event = data as NodeEvent;
      const task = run?.tasks.find((t) => t.key === event.node);
      if (task) {
        task.status = event.status;
        graph?.setStatus(event.node, event.status);
        if (event.node === selected) renderPanel();
      }
      if (FINAL.includes(event.status) || event.status === 'skipped') scheduleRefresh();
    },
    run: (data) => {
      const event = data as RunEvent;
      if (!run) return;
      run.status = event.status;
      run.updated = event.at;
      renderHead();
      scheduleRefresh();
    },
  });
  return () => {
    clearTimeout(refreshTimer);
    stop();
  };
}
