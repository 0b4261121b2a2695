/** Definitions, each with a Run dialog that validates the payload against its JSON Schema before sending. */
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { api, ApiError, type Definition } from './api.js';
import { h, pretty, replace } from './dom.js';

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

/** The payload's problems, as `/path: message` lines (the server's format). */
function check(schema: Record<string, unknown> | undefined, payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return ['/: the payload must be a JSON object'];
  if (!schema) return [];
  const validate = ajv.compile(schema);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : ''}`);
}

function example(schema: Record<string, unknown> | undefined): string {
  const properties = (schema?.['properties'] ?? {}) as Record<string, { type?: string }>;
  const sample: Record<string, unknown> = {};
  for (const key of (schema?.['required'] as string[] | undefined) ?? []) {
    const type = properties[key]?.type;
    sample[key] = type === 'integer' || type === 'number' ? 0 : type === 'boolean' ? false : type === 'array' ? [] : type === 'object' ? {} : '';
  }
  return pretty(sample);
}

function runDialog(definition: Definition): HTMLDialogElement {
  const payload = h('textarea', { rows: 10, spellcheck: false, 'data-testid': 'payload' });
  payload.value = example(definition.schema);
  const comment = h('input', { placeholder: 'comment (optional)', 'data-testid': 'comment' });
  const problems = h('ul', { class: 'error', 'data-testid': 'problems' });
  const dialog = h('dialog', { class: 'run-dialog', 'data-testid': 'run-dialog' });
  const show = (heading: string, lines: string[]): void => replace(problems, ...[heading, ...lines].map((line, i) => h('li', { class: i === 0 ? 'heading' : '' }, line)));
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    let value: unknown;
    try {
      value = JSON.parse(payload.value);
    } catch (error) {
      show('Malformed JSON', [(error as Error).message]);
      return;
    }
    const found = check(definition.schema, value);
    if (found.length > 0) return show('Payload is not valid', found);
    try {
      const run = await api<{ id: string }>('workflows', { method: 'POST', body: { project: definition.project, name: definition.name, payload: value, ...(comment.value ? { comment: comment.value } : {}) } });
      dialog.close();
      location.hash = `#/runs/${run.id}`;
    } catch (error) {
      if (error instanceof ApiError) show(`Server: ${error.message}`, error.body.errors ?? []);
      else show('Request failed', [String(error)]);
    }
  };
  replace(dialog,
    h('form', { method: 'dialog', onsubmit: (e: Event) => void submit(e) },
      h('h2', {}, `Run ${definition.fullname}`),
      h('label', {}, 'Payload (JSON)', payload),
      definition.schema ? h('details', {}, h('summary', {}, 'Schema'), h('pre', {}, pretty(definition.schema))) : h('p', { class: 'muted' }, 'No schema: any JSON object.'),
      comment,
      problems,
      h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'submit-run' }, 'Run'), h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')),
    ),
  );
  return dialog;
}

export function definitionsPage(root: HTMLElement): () => void {
  const body = h('tbody', { 'data-testid': 'definitions' });
  const message = h('p', { class: 'error' });
  replace(root, h('h1', {}, 'Definitions'), message, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ...['Workflow', 'Tasks', 'Schedule', 'Description', ''].map((t) => h('th', {}, t)))), body));
  api<Definition[]>('definitions')
    .then((definitions) => {
      for (const definition of definitions) {
        const open = (): void => {
          const dialog = runDialog(definition);
          document.body.appendChild(dialog);
          dialog.addEventListener('close', () => dialog.remove());
          dialog.showModal();
        };
        body.appendChild(
          h('tr', { 'data-fullname': definition.fullname },
            h('td', {}, definition.fullname),
            h('td', { class: 'muted' }, definition.graph.nodes.map((n) => n.key).join(' · ')),
            h('td', {}, definition.periodic ? JSON.stringify(definition.periodic) : ''),
            h('td', {}, definition.description ?? ''),
            h('td', {}, h('button', { 'data-testid': `run-${definition.fullname}`, onclick: open }, 'Run…')),
          ),
        );
      }
    })
    .catch((error: Error) => void (message.textContent = error.message));
  return () => undefined;
}
