/**
 * W6's workflow shapes, defined on a celeriac app: a linear workflow of `n` `wfstep` nodes (the
 * workflow counterpart of W2's chain) and a layered DAG of `layers × width` nodes, node `(l, i)`
 * after nodes `(l-1, i)` and `(l-1, i+1 mod width)`. With `wfstep` (1 at a root, else the parents'
 * sum + 1), the linear workflow's last node returns `n` and every node of layer `l` returns
 * `2^(l+1) - 1`: the run checks its own answer.
 * @module
 */
import type { Celeriac } from '../../src/index.js';

type Nodes = Record<string, { task: string; after?: string[] }>;

/** `bench.LINEAR_<n>`, defined on first use. */
export function linearWorkflow(app: Celeriac, n: number): string {
  const name = `bench.LINEAR_${n}`;
  if (!app.workflows.definitions.has(name)) app.workflows.define(name, { tasks: Array.from({ length: n }, () => 'wfstep') });
  return name;
}

/** The DAG's nodes (see the module documentation). */
export function layeredNodes(layers: number, width: number): Nodes {
  const key = (layer: number, index: number): string => `n${layer}_${index}`;
  const nodes: Nodes = {};
  for (let layer = 0; layer < layers; layer++) {
    for (let index = 0; index < width; index++) {
      nodes[key(layer, index)] = layer === 0 ? { task: 'wfstep' } : { task: 'wfstep', after: [key(layer - 1, index), key(layer - 1, (index + 1) % width)] };
    }
  }
  return nodes;
}

/** `bench.LAYERED_<layers>x<width>`, defined on first use. */
export function layeredWorkflow(app: Celeriac, layers: number, width: number): string {
  const name = `bench.LAYERED_${layers}x${width}`;
  if (!app.workflows.definitions.has(name)) app.workflows.define(name, { nodes: layeredNodes(layers, width) });
  return name;
}

/** What every node of the last layer returns. */
export function lastLayerValue(layers: number): number {
  return 2 ** layers - 1;
}

/** Throw unless a finished run succeeded with the expected value at `node`. */
export function expectRun(record: { status: string; tasks: ReadonlyArray<{ key: string; status: string; result: unknown }> }, node: string, value: number, what: string): void {
  if (record.status !== 'success') {
    const failed = record.tasks.find((task) => task.status !== 'success');
    throw new Error(`${what}: run ${record.status}${failed ? ` (node ${failed.key}: ${failed.status})` : ''}`);
  }
  const found = record.tasks.find((task) => task.key === node);
  if (found?.result !== value) throw new Error(`${what}: node ${node} returned ${String(found?.result)}, expected ${value}`);
}
