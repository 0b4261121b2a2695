/** The dashboard's hash router: #/ (runs), #/runs/<id>, #/definitions, #/workers, #/schedules. */
import { definitionsPage } from './definitions.js';
import { runPage } from './run.js';
import { runsPage } from './runs.js';
import { schedulesPage, workersPage } from './tables.js';

const root = document.getElementById('page')!;
let leave: () => void = () => undefined;

function route(): void {
  leave();
  const [path = '/', search = ''] = location.hash.replace(/^#/, '').split('?');
  const section = path.split('/')[1] ?? '';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) link.classList.toggle('active', link.dataset['nav'] === (section || 'runs'));
  const run = /^\/runs\/(.+)$/.exec(path);
  if (run?.[1]) leave = runPage(root, decodeURIComponent(run[1]));
  else if (section === 'definitions') leave = definitionsPage(root);
  else if (section === 'workers') leave = workersPage(root);
  else if (section === 'schedules') leave = schedulesPage(root);
  else leave = runsPage(root, new URLSearchParams(search));
}

window.addEventListener('hashchange', route);
route();
