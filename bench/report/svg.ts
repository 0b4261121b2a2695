/**
 * The chart (`bench/results/latest.svg`), written as plain SVG text: per transport, one block per
 * metric with a bar per system, scaled to the largest value in that block.
 * @module
 */
import type { Transport } from '../lib/config.js';
import type { BenchResults } from '../lib/results.js';
import { formatNumber } from '../lib/stats.js';
import { METRICS, type SystemId } from '../lib/types.js';

const WIDTH = 920;
const LABEL_W = 290;
const BAR_MAX = 480;
const BAR_H = 13;
const BAR_GAP = 3;
const BLOCK_GAP = 12;
/** Room for the two-line metric label. */
const MIN_BLOCK_H = 28;
const COLORS: Record<SystemId, string> = { celeriac: '#2a9d8f', bullmq: '#e76f51', celery: '#457b9d', raw: '#9aa5b1', ceiling: '#6c757d' };
const TITLES: Record<Transport, string> = { memory: 'memory://', redis: 'Redis', amqp: 'RabbitMQ' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escape(content)}</text>`;
}

/** Render the chart; an empty run gives a small "no data" picture. */
export function renderSvg(results: BenchResults, title: string): string {
  const parts: string[] = [];
  let y = 30;
  parts.push(text(16, y, title, 'font-size="16" font-weight="bold"'));
  y += 22;
  const legend: Array<[string, string]> = [];
  for (const transport of results.transports) {
    for (const p of results.participantsOn(transport)) {
      if (!legend.some(([label]) => label === p.label)) legend.push([p.label, COLORS[p.id]]);
    }
  }
  let lx = 16;
  for (const [label, color] of legend) {
    parts.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${color}"/>`, text(lx + 16, y, label));
    lx += 24 + label.length * 7;
  }
  y += 20;
  for (const transport of results.transports) {
    const systems = results.participantsOn(transport);
    if (systems.length === 0) continue;
    y += 12;
    parts.push(text(16, y, TITLES[transport], 'font-size="14" font-weight="bold"'));
    y += 10;
    for (const metric of METRICS) {
      const values = systems.map((s) => ({ system: s, value: results.medianOf(transport, s.id, metric.key) }));
      const present = values.filter((v): v is { system: (typeof systems)[number]; value: number } => v.value !== undefined);
      if (present.length === 0) continue;
      const max = Math.max(...present.map((v) => v.value));
      const blockH = Math.max(MIN_BLOCK_H, present.length * (BAR_H + BAR_GAP));
      const blockEnd = y + blockH;
      const labelY = y + blockH / 2 - 2;
      parts.push(text(16, labelY, `${metric.workload} ${metric.label}`));
      parts.push(text(16, labelY + 14, `${metric.unit}, ${metric.better === 'higher' ? 'higher' : 'lower'} is better`, 'font-size="10" fill="#666"'));
      for (const { system, value } of present) {
        const w = max > 0 ? Math.max(1, (value / max) * BAR_MAX) : 1;
        parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[system.id]}"><title>${escape(`${system.label}: ${formatNumber(value)} ${metric.unit}`)}</title></rect>`);
        parts.push(text(Math.round(LABEL_W + w + 6), y + BAR_H - 2, formatNumber(value), 'font-size="11"'));
        y += BAR_H + BAR_GAP;
      }
      y = blockEnd + BLOCK_GAP;
    }
  }
  if (parts.length <= 2) parts.push(text(16, y + 20, 'no timed workload in this run'));
  const height = y + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
