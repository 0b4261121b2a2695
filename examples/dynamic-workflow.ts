/**
 * Workflows whose shape is only known while they run:
 * - `replace`: a directory listing replaces itself with one size task per file; the chain goes on
 *   with the list of sizes (the total).
 * - `addToChord`: a crawler page adds the pages it links to into the running chord, so the chord's
 *   body sees every page of the site however deep the links go.
 */
import { Celeriac, chain, chord, currentTask, group } from '../src/index.js';

/** A tiny in-memory file tree and site, standing for a real file system and web. */
const FILES: Record<string, Record<string, number>> = { '/photos': { 'a.jpg': 120, 'b.jpg': 80, 'c.png': 40 } };
const LINKS: Record<string, string[]> = { '/': ['/about', '/blog'], '/blog': ['/blog/1', '/blog/2'], '/about': [], '/blog/1': [], '/blog/2': [] };

/** Register the tasks and return the canvas builders. */
export function dynamicTasks(app: Celeriac, log: (line: string) => void = () => undefined) {
  const size = app.task('fs.size', (dir: string, file: string) => FILES[dir]?.[file] ?? 0);
  const total = app.task('fs.total', (sizes: number[]) => sizes.reduce((a, b) => a + b, 0));
  const listDir = app.task('fs.list', (dir: string): number[] => {
    const files = Object.keys(FILES[dir] ?? {});
    log(`list: ${dir} has ${files.length} files; replacing myself with one size task each`);
    return currentTask()!.replace(group(files.map((file) => size.si(dir, file))));
  });
  const crawl = app.task('site.crawl', async (page: string) => {
    const links = LINKS[page] ?? [];
    // The root page adds its links; each added page adds its own (they are chord parts too).
    for (const link of links) await currentTask()!.addToChord(crawl.si(link));
    log(`crawl: ${page} links to ${links.length} page(s)`);
    return page;
  });
  const sitemap = app.task('site.map', (pages: string[]) => [...pages].sort());
  return {
    diskUsage: (dir: string) => chain(listDir.si(dir), total.s()),
    siteMap: (root: string) => chord([crawl.si(root)], sitemap.s()),
  };
}

/** Run both (a worker must be running). */
export async function runDynamicWorkflows(app: Celeriac, log: (line: string) => void = () => undefined) {
  const { diskUsage, siteMap } = dynamicTasks(app, log);
  const bytes = await (await diskUsage('/photos').applyAsync()).get({ timeout: 10_000 });
  const pages = await (await siteMap('/').applyAsync()).get({ timeout: 10_000 });
  return { bytes, pages };
}
