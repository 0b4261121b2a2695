/**
 * A run's DAG as SVG, laid out by dagre (left to right). Nodes are coloured by their status
 * (CSS class `status-<status>`) and updated in place as events arrive.
 */
import { Graph, layout } from '@dagrejs/dagre';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 150;
const NODE_H = 40;

export interface GraphNodeInput {
  key: string;
  label: string;
  status: string;
  after: string[];
}

export interface DrawnGraph {
  readonly element: SVGSVGElement;
  setStatus(key: string, status: string): void;
  select(key: string | undefined): void;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

const short = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Lay out and draw; `onSelect` gets a node key on click. */
export function drawGraph(nodes: readonly GraphNodeInput[], onSelect: (key: string) => void): DrawnGraph {
  const g = new Graph();
  // network-simplex ranks more compactly; longest-path is about twice as fast on large graphs.
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 48, marginx: 12, marginy: 12, ranker: nodes.length > 300 ? 'longest-path' : 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.key, { width: NODE_W, height: NODE_H });
  for (const node of nodes) for (const parent of node.after) if (g.hasNode(parent)) g.setEdge(parent, node.key);
  layout(g);
  const { width = 0, height = 0 } = g.graph();

  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'dag', 'data-testid': 'graph' });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.appendChild(marker);
  root.appendChild(defs);

  const edges = svg('g', { class: 'edges' });
  for (const edge of g.edges()) {
    const points = (g.edge(edge) as { points?: { x: number; y: number }[] }).points ?? [];
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
    edges.appendChild(svg('path', { d, class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  root.appendChild(edges);

  const groups = new Map<string, SVGGElement>();
  const layer = svg('g', { class: 'nodes' });
  for (const node of nodes) {
    const box = g.node(node.key);
    const group = svg('g', { class: `node status-${node.status}`, 'data-key': node.key, 'data-status': node.status, transform: `translate(${box.x - NODE_W / 2}, ${box.y - NODE_H / 2})` });
    group.appendChild(svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }));
    const title = svg('title', {});
    title.textContent = `${node.key} (${node.label})`;
    group.appendChild(title);
    const text = svg('text', { x: NODE_W / 2, y: node.label !== node.key ? 16 : 25, 'text-anchor': 'middle' });
    text.textContent = short(node.key, 20);
    group.appendChild(text);
    if (node.label !== node.key) {
      const sub = svg('text', { x: NODE_W / 2, y: 31, 'text-anchor': 'middle', class: 'sub' });
      sub.textContent = short(node.label, 24);
      group.appendChild(sub);
    }
    group.addEventListener('click', () => onSelect(node.key));
    groups.set(node.key, group);
    layer.appendChild(group);
  }
  root.appendChild(layer);

  let selected: string | undefined;
  return {
    element: root,
    setStatus(key, status) {
      const group = groups.get(key);
      if (!group || group.dataset['status'] === status) return;
      group.setAttribute('class', `node status-${status}${key === selected ? ' selected' : ''}`);
      group.dataset['status'] = status;
    },
    select(key) {
      if (selected) groups.get(selected)?.classList.remove('selected');
      selected = key;
      if (key) groups.get(key)?.classList.add('selected');
    },
  };
}
