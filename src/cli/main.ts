#!/usr/bin/env node
/**
 * The `celeriac` command, with Celery's habits (`-A` before or after the verb):
 *   celeriac -A ./tasks.js worker --broker redis://… --backend redis://… -Q q1,q2 -c 16
 *   celeriac call add --args '[2,2]' --kwargs '{}' --wait
 *   celeriac result <task-id>
 *   celeriac workflow list | run NAME JSON --follow …; fire; beat; schedules; dead …; serve
 * Each verb group lives in its own file under `verbs/` and registers itself here.
 * @module
 */
import { Command } from 'commander';
import { withAppOptions } from './options.js';
import { registerBench } from './verbs/bench.js';
import { registerControlVerbs } from './verbs/control.js';
import { registerEvents } from './verbs/events.js';
import { registerLayerVerbs } from './verbs/layers.js';
import { registerPurge } from './verbs/purge.js';
import { registerTaskVerbs } from './verbs/tasks.js';
import { registerWorker } from './verbs/worker.js';

const program = withAppOptions(
  new Command()
    .name('celeriac')
    .description('Celery-style task workflows for TypeScript, wire-compatible with Python Celery 5')
    .version('0.1.0'),
);

for (const register of [registerWorker, registerTaskVerbs, registerControlVerbs, registerEvents, registerPurge, registerBench, registerLayerVerbs]) register(program);

await program.parseAsync(process.argv);
