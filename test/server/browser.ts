/** Headless Debian Chromium driven by playwright-core, and the dashboard built into a temp folder. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launch Chromium with a new empty profile; fails loudly with the install command when missing. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does it)`);
  const profile = mkdtempSync(join(tmpdir(), 'celeriac-chromium-'));
  // The new empty profile is Chromium's --user-data-dir (playwright passes it for a persistent context).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Build the dashboard (Vite) into a new temp folder; returns it. */
export async function buildDashboard(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'celeriac-dashboard-'));
  await build({ configFile: resolve('dashboard/vite.config.mjs'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}
