/** Definitions (WORKFLOWS.md §W1): compiling both forms, every refusal with file/workflow/key, YAML folders, schemas, payloads. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileDefinition } from '../../src/workflow/definition/compile.js';
import { Definitions } from '../../src/workflow/definition/definitions.js';
import { loadFolder } from '../../src/workflow/definition/load.js';
import { PayloadError, WorkflowDefinitionError } from '../../src/workflow/errors.js';
import { checkPayload } from '../../src/workflow/payload.js';
import type { StandardSchemaV1 } from '../../src/workflow/standard-schema.js';

const ctx = { workflow: 'p.W' };
const refused = (input: unknown, key: string, reason: RegExp) => {
  let error: unknown;
  try {
    compileDefinition(ctx, input);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WorkflowDefinitionError);
  expect((error as WorkflowDefinitionError).location.key).toBe(key);
  expect((error as WorkflowDefinitionError).reason).toMatch(reason);
};

describe('compiling definitions', () => {
  it("compiles Director's form: chains in order, named groups in parallel, nesting at any depth", () => {
    const graph = compileDefinition(ctx, {
      tasks: ['A', { G: { type: 'group', tasks: ['B', { C: { type: 'chain', tasks: ['D', { H: { type: 'group', tasks: ['E', 'F'] } }] } }] } }, 'A'],
      queue: { default: 'q', customs: { E: 'e-queue' } },
    });
    const nodes = Object.fromEntries(graph.nodes.map((node) => [node.key, node]));
    expect(graph.nodes.map((node) => node.key)).toEqual(['A', 'B', 'D', 'E', 'F', 'A#2']);
    expect(nodes['B']).toMatchObject({ after: ['A'], input: 'single', queue: 'q', path: ['G'] });
    expect(nodes['E']).toMatchObject({ after: ['D'], input: 'single', queue: 'e-queue', path: ['G', 'C', 'H'] });
    expect(nodes['A#2']).toMatchObject({ after: ['B', 'E', 'F'], input: 'list' });
    expect(nodes['A']).toMatchObject({ after: [], input: 'none' });
  });

  it('compiles the DAG form in topological order with joins and kwargs', () => {
    const graph = compileDefinition(ctx, {
      nodes: { report: { task: 'R', after: ['merge'] }, merge: { task: 'M', after: ['a', 'b'], join: 'all-done' }, a: { task: 'E', kwargs: { s: 1 } }, b: { task: 'E', queue: 'x' } },
    });
    expect(graph.nodes.map((node) => node.key)).toEqual(['a', 'b', 'merge', 'report']);
    expect(graph.nodes[2]).toMatchObject({ after: ['a', 'b'], input: 'list', join: 'all-done' });
    expect(graph.nodes[3]).toMatchObject({ input: 'single' });
    expect(graph.nodes[0]).toMatchObject({ kwargs: { s: 1 } });
  });

  it('refuses bad definitions, naming the key', () => {
    refused({ tasks: ['A'], colour: 'red' }, 'colour', /unknown key 'colour'/);
    refused({ nodes: { a: { task: 'A', after: ['b'] }, b: { task: 'B', after: ['a'] } } }, 'nodes', /cycle runs through a, b/);
    refused({ nodes: { a: { task: 'A', after: ['ghost'] } } }, 'nodes.a.after', /unknown parent 'ghost'/);
    refused({ tasks: ['A', { G: { tasks: ['B'] } }] }, 'tasks[1].G.type', /type: group/);
    refused({ tasks: ['A'], nodes: { a: { task: 'A' } } }, 'nodes', /exactly one/);
    refused({ nodes: { a: { task: 'A', kwargs: { payload: 1 } } } }, 'nodes.a.kwargs.payload', /set by the workflow/);
    refused({ nodes: { a: { task: 'A', join: 'some' } } }, 'nodes.a.join', /all-success/);
    refused({ nodes: { a: { task: 'A', type: 'bogus' } } }, 'nodes.a.type', /unknown node type/);
    refused({ tasks: ['A'], maxDuration: -1 }, 'maxDuration', /> 0/);
    refused({ tasks: ['A'], onFailure: 'panic' }, 'onFailure', /stop/);
    refused({ tasks: ['A'], retention: { offset: 0 } }, 'retention.offset', /≥ 1/);
    refused({ tasks: ['A'], periodic: { interval: 5, crontab: '* * * * *' } }, 'periodic', /exactly one/);
    refused({ tasks: [] }, 'tasks', /non-empty/);
    expect(() => compileDefinition({ workflow: 'noproject' }, { tasks: ['A'] })).toThrow(/project\.NAME/);
  });
});

describe('definitions and payloads', () => {
  it('validates payloads against JSON Schema, listing every problem with path and value', async () => {
    const definitions = new Definitions();
    const [definition] = definitions.prepare([{ fullname: 'p.S', input: { tasks: ['A'], schema: { type: 'object', properties: { user: { type: 'integer' }, when: { type: 'string', format: 'date-time' } }, required: ['user', 'product'] } } }]);
    const error = await checkPayload('p.S', { user: 'john', when: 'yesterday' }, definition!.validate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).problems).toEqual([
      { path: '/product', message: "must have required property 'product'", value: undefined },
      { path: '/user', message: 'must be integer', value: 'john' },
      { path: '/when', message: 'must match format "date-time"', value: 'yesterday' },
    ]);
    await expect(checkPayload('p.S', 'text', definition!.validate)).rejects.toThrow(/must be a JSON object/);
    await expect(checkPayload('p.S', { user: 1, product: 2 }, definition!.validate)).resolves.toBeUndefined();
  });

  it('accepts any Standard Schema and reports its issues', async () => {
    const schema: StandardSchemaV1<{ n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => (typeof (value as { n?: unknown }).n === 'number' ? { value: value as { n: number } } : { issues: [{ message: 'n must be a number', path: [{ key: 'n' }] }] }),
      },
    };
    const definitions = new Definitions();
    const [definition] = definitions.prepare([{ fullname: 'p.Z', input: { tasks: ['A'], schema } }]);
    const error = (await checkPayload('p.Z', { n: 'x' }, definition!.validate).catch((e: unknown) => e)) as PayloadError;
    expect(error.problems).toEqual([{ path: '/n', message: 'n must be a number', value: 'x' }]);
  });

  it('refuses a schema that does not compile, a periodic payload that fails it, and two workflows with one name', () => {
    const definitions = new Definitions();
    expect(() => definitions.prepare([{ fullname: 'p.A', input: { tasks: ['A'], schema: { type: 'nonsense' } } }])).toThrow(/schema: not a valid JSON Schema/);
    expect(() => definitions.prepare([{ fullname: 'p.A', input: { tasks: ['A'], schema: { type: 'object', required: ['user'] }, periodic: { interval: 60, payload: { other: 1 } } } }])).toThrow(
      /periodic\.payload: does not validate against the schema/,
    );
    expect(() => definitions.prepare([{ fullname: 'p.A', input: { tasks: ['A'], schema: 'missing' } }])).toThrow(/schema 'missing' not found/);
    definitions.add(definitions.prepare([{ fullname: 'p.A', input: { tasks: ['A'] } }]));
    expect(() => definitions.prepare([{ fullname: 'p.A', input: { tasks: ['B'] } }])).toThrow(/already defined/);
  });
});

describe('loading a folder', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const folder = async (files: Record<string, string>) => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-wf-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    return dir;
  };

  it('reads every YAML file with schemas in subfolders and $ref between schema files', async () => {
    const root = await folder({
      'a.yml': 'shop.ORDER:\n  tasks: [A, B]\n  schema: orders/order\n',
      'b.yaml': 'etl.RUN:\n  nodes:\n    x: {task: X}\n    y: {task: Y, after: [x]}\n',
      'schemas/orders/order.json': '{"type":"object","properties":{"user":{"$ref":"../common/user.json"}},"required":["user"]}',
      'schemas/common/user.json': '{"type":"integer"}',
      'notes.txt': 'ignored',
    });
    const definitions = new Definitions();
    const loaded = await loadFolder(definitions, root);
    expect(loaded.map((d) => d.fullname)).toEqual(['shop.ORDER', 'etl.RUN']);
    const error = (await checkPayload('shop.ORDER', { user: 'x' }, definitions.get('shop.ORDER').validate).catch((e: unknown) => e)) as PayloadError;
    expect(error.problems[0]).toMatchObject({ path: '/user', message: 'must be integer' });
  });

  it('names the file, workflow and key of a problem and loads nothing of that file', async () => {
    const root = await folder({ 'a.yml': 'good.ONE:\n  tasks: [A]\nbad.TWO:\n  nodes:\n    x: {task: X, after: [nope]}\n' });
    const definitions = new Definitions();
    const error = (await loadFolder(definitions, root).catch((e: unknown) => e)) as WorkflowDefinitionError;
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    expect(error.location).toEqual({ file: join(root, 'a.yml'), workflow: 'bad.TWO', key: 'nodes.x.after' });
    expect(error.message).toBe(`${join(root, 'a.yml')}: bad.TWO: nodes.x.after: unknown parent 'nope'`);
    expect(definitions.has('good.ONE')).toBe(false);
  });

  it('refuses malformed YAML and duplicate keys, naming the file', async () => {
    const root = await folder({ 'a.yml': 'p.A:\n  tasks: [A\n' });
    await expect(loadFolder(new Definitions(), root)).rejects.toThrow(/a\.yml: malformed YAML/);
    const again = await folder({ 'a.yml': 'p.A:\n  tasks: [A]\np.A:\n  tasks: [B]\n' });
    await expect(loadFolder(new Definitions(), again)).rejects.toThrow(/malformed YAML/);
  });
});
