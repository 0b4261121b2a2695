/**
 * The dashboard in headless Chromium against `serve()` on a memory app with an in-process worker:
 * run a workflow from the definitions page (invalid then valid payload), watch the graph go green
 * live, cancel a running run, relaunch it, filter the runs list. Screenshots go to a temp folder,
 * or to docs/ with CELERIAC_SCREENSHOTS=docs.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server/index.js';
import { buildDashboard, launchChromium } from './browser.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let running: RunningServer;
let chromium: { context: BrowserContext; close(): Promise<void> };
let dashboard: string;
let page: Page;
const shots = mkdtempSync(join(tmpdir(), 'celeriac-shots-'));

beforeAll(async () => {
  dashboard = await buildDashboard();
  fx = await startFixture();
  running = await serve(fx.app, { port: 0, dashboardDir: dashboard });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
});
afterAll(async () => {
  await chromium?.close();
  await running?.close();
  await fx?.close();
  rmSync(dashboard, { recursive: true, force: true });
  if (process.env['CELERIAC_SCREENSHOTS'] === 'docs') for (const name of ['dashboard-runs.png', 'dashboard-run.png']) copyFileSync(join(shots, name), join('docs', name));
  rmSync(shots, { recursive: true, force: true });
});

const runIdOf = (p: Page): string => decodeURIComponent(new URL(p.url()).hash.replace(/^#\/runs\//, ''));
const node = (key: string) => page.locator(`svg.dag g.node[data-key="${key}"]`);

describe('dashboard', () => {
  it('runs a workflow from the definitions page: an invalid payload is refused before sending, a valid one runs and its graph goes green', async () => {
    await page.goto(`${running.url}/#/definitions`);
    await page.getByTestId('run-example.ETL').click();
    const dialog = page.getByTestId('run-dialog');
    await dialog.getByTestId('payload').fill('{"user": "john", "color": 3}');
    await dialog.getByTestId('submit-run').click();
    await expect.poll(() => dialog.getByTestId('problems').innerText()).toMatch(/^Payload is not valid\n/);
    const problems = await dialog.getByTestId('problems').innerText();
    expect(problems).toMatch(/^\/user: must be integer$/m);
    expect(problems).toMatch(/^\/: must NOT have additional properties \(color\)$/m);
    expect(await fx.app.workflows.list()).toMatchObject({ items: [] });

    await dialog.getByTestId('payload').fill('{"user": 7}');
    await dialog.getByTestId('comment').fill('from the browser');
    await dialog.getByTestId('submit-run').click();
    await page.waitForURL(/#\/runs\//);
    const id = runIdOf(page);
    await expect.poll(() => page.locator('svg.dag g.node[data-status="success"]').count()).toBe(3);
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
    const record = await fx.app.workflows.get(id);
    expect(record).toMatchObject({ fullname: 'example.ETL', status: 'success', payload: { user: 7 }, comment: 'from the browser' });
    await node('LOAD').click();
    await expect.poll(() => page.getByTestId('node-result').innerText()).toBe('"loaded 6"');
  });

  it("shows the server's errors when only the server can validate the payload (a Standard Schema)", async () => {
    await page.goto(`${running.url}/#/definitions`);
    await page.getByTestId('run-example.TYPED').click();
    const dialog = page.getByTestId('run-dialog');
    await dialog.getByTestId('payload').fill('{"order": "seven"}');
    await dialog.getByTestId('submit-run').click();
    await expect.poll(() => dialog.getByTestId('problems').innerText()).toMatch(/^Server: Payload is not valid\n.*order must be a number/);
    await dialog.getByTestId('payload').fill('{"order": 7}');
    await dialog.getByTestId('submit-run').click();
    await page.waitForURL(/#\/runs\//);
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
  });

  it('colours a running graph live, without a reload', async () => {
    const run = await fx.app.workflows.run('example.SLOW', {});
    await page.goto(`${running.url}/#/runs/${run.id}`);
    await expect.poll(() => node('slow').getAttribute('data-status')).toBe('progress');
    expect(await node('last').getAttribute('data-status')).toBe('pending');
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    fx.release();
    await expect.poll(() => node('last').getAttribute('data-status')).toBe('success');
    expect(await node('slow').getAttribute('data-status')).toBe('success');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
    expect(navigations).toEqual([]);
  });

  it('cancels a running run and relaunches it', async () => {
    const run = await fx.app.workflows.run('example.SLOW', {});
    await page.goto(`${running.url}/#/runs/${run.id}`);
    await expect.poll(() => node('slow').getAttribute('data-status')).toBe('progress');
    await page.getByTestId('cancel').click();
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('canceled');
    await expect.poll(() => node('slow').getAttribute('data-status')).toBe('canceled');
    expect((await fx.app.workflows.get(run.id)).status).toBe('canceled');
    expect(await page.getByTestId('cancel').isDisabled()).toBe(true);

    await page.getByTestId('relaunch').click();
    await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.endsWith(run.id));
    const relaunched = runIdOf(page);
    expect(relaunched).not.toBe(run.id);
    await expect.poll(() => node('slow').getAttribute('data-status')).toBe('progress');
    fx.release();
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
    expect((await fx.app.workflows.get(relaunched)).fullname).toBe('example.SLOW');
  });

  it('draws a fan-out/fan-in graph with a layout and shows a failed node\'s error', async () => {
    const report = await fx.app.workflows.run('example.REPORT', {});
    await report.wait({ timeout: 10_000 });
    await page.goto(`${running.url}/#/runs/${report.id}`);
    await expect.poll(() => page.locator('svg.dag g.node[data-status="success"]').count()).toBe(6);
    const x = async (key: string) => Number(/translate\(([\d.]+)/.exec((await node(key).getAttribute('transform')) ?? '')?.[1]);
    expect(await x('fetch')).toBeLessThan(await x('clean_us'));
    expect(await x('clean_us')).toBeLessThan(await x('merge'));
    expect(await x('clean_eu')).toBe(await x('clean_asia'));
    await node('merge').click();
    await expect.poll(() => page.getByTestId('node-args').innerText()).toMatch(/the results of clean_eu, clean_us, clean_asia, as a list/);
    await page.screenshot({ path: join(shots, 'dashboard-run.png') });

    const failed = await fx.app.workflows.run('example.FAIL', {});
    await failed.wait({ timeout: 10_000 });
    await page.goto(`${running.url}/#/runs/${failed.id}`);
    await node('BOOM').click();
    await expect.poll(() => page.getByTestId('node-panel').innerText()).toMatch(/Error: the database is down/);
    expect(await page.getByTestId('resume').isEnabled()).toBe(true);
  });

  it('lists runs live, filters by status and name, opens a run by id', async () => {
    await page.goto(`${running.url}/#/`);
    await expect.poll(() => page.locator('[data-testid="runs"] tr').count()).toBeGreaterThanOrEqual(6);
    const fresh = await fx.app.workflows.run('example.ETL', { user: 9 });
    await expect.poll(() => page.locator(`tr[data-id="${fresh.id}"] [data-status]`).getAttribute('data-status')).toBe('success');
    await page.screenshot({ path: join(shots, 'dashboard-runs.png') });

    await page.getByTestId('status-filter').selectOption('canceled');
    await expect.poll(() => page.locator('[data-testid="runs"] tr').count()).toBe(1);
    await page.getByTestId('status-filter').selectOption('');
    await page.getByTestId('name-filter').fill('example.FAIL');
    await page.getByTestId('name-filter').press('Enter');
    await expect.poll(() => page.locator('[data-testid="runs"] tr').count()).toBe(1);
    await page.getByTestId('id-search').fill(fresh.id);
    await page.getByTestId('id-search').press('Enter');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
    expect(runIdOf(page)).toBe(fresh.id);
  });

  it('reconnects after a server restart and catches up on what it missed', async () => {
    const run = await fx.app.workflows.run('example.SLOW', {});
    await page.goto(`${running.url}/#/runs/${run.id}`);
    await expect.poll(() => node('slow').getAttribute('data-status')).toBe('progress');
    const port = Number(new URL(running.url).port);
    await running.close();
    fx.release();
    await run.wait({ timeout: 10_000 });
    expect(await node('last').getAttribute('data-status')).toBe('pending');
    running = await serve(fx.app, { port, dashboardDir: dashboard });
    await expect.poll(() => node('last').getAttribute('data-status'), { timeout: 20_000 }).toBe('success');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('success');
  });

  it('shows schedules and says when workers cannot be listed', async () => {
    await page.goto(`${running.url}/#/schedules`);
    await expect.poll(() => page.getByTestId('schedules').innerText()).toMatch(/example\.NIGHTLY[\s\S]*3600/);
    await page.goto(`${running.url}/#/workers`);
    await expect.poll(() => page.getByTestId('workers').innerText()).toMatch(/not available/);
  });
});
