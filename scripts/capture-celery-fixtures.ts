/**
 * `npm run fixtures:capture [-- PART… --out DIR --redis URL --amqp URL]`: re-captures the Celery
 * 5.2.6 wire fixtures in `test/fixtures/celery-5.2.6/` by running
 * `scripts/celery-fixtures/capture.py` with the interpreter that has Python Celery (found on PATH,
 * or `CELERIAC_INTEROP_PYTHON`). See that script for what it touches.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireCeleryPython } from './lib/celery-python.js';

const script = fileURLToPath(new URL('./celery-fixtures/capture.py', import.meta.url));
const result = spawnSync(requireCeleryPython(), [script, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
