/**
 * One matrix combination (broker × serializer) as a `describe`: one Python Celery worker on the py
 * queue and one celeriac worker on the ts queue, started once and shared by every cell. Cells run
 * concurrently (they use distinct ids, and queues are per combination).
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { Worker } from '../../src/index.js';
import { celeriacProducerCells } from './cells-celeriac-producer.js';
import { mixedCells } from './cells-mixed.js';
import { pythonProducerCells } from './cells-python-producer.js';
import { replaceCells } from './cells-replace.js';
import { signatureCells } from './cells-signatures.js';
import { pythonSide } from './python-side.js';
import { comboApp, pythonEnv, requireServices, resetCombo, type Combo } from './combos.js';
import type { InteropContext } from './context.js';
import { PythonWorker, requirePythonCelery } from './harness.js';
import { pyTasks, registerTsTasks } from './ts-tasks.js';

/** Declare the describe of one combination with every matrix cell. */
export function describeCombination(c: Combo): void {
  // Not concurrent itself, so two combinations in one file run one after the other; the cell
  // groups inside are `describe.concurrent`.
  describe(`interop ${c.label}`, () => {
    const ctx = { combo: c, env: pythonEnv(c) } as InteropContext;
    let tsWorker: Worker | undefined;
    let servicesUp = false;
    let setupError: unknown;

    beforeAll(async () => {
      try {
        requirePythonCelery();
        await requireServices(c);
        servicesUp = true;
        await resetCombo(c);
        ctx.app = comboApp(c);
        ctx.ts = registerTsTasks(ctx.app, c.tsQueue);
        ctx.py = pyTasks(ctx.app);
        ctx.broker = (await ctx.app.connect()).broker;
        ctx.pyWorker = new PythonWorker(ctx.env, c.pyQueue, `interop_${c.broker}_${c.serializer}_${process.pid}`);
        tsWorker = await ctx.app.worker({ queues: [c.tsQueue], concurrency: 8, hostname: `celeriac_interop_${process.pid}` }).start();
        await ctx.pyWorker.start();
        // Start the Python producer batch now so it overlaps the celeriac-producer cells.
        pythonSide(ctx).catch(() => undefined);
      } catch (error) {
        setupError = error;
      }
    });

    // A missing service or Python Celery fails every cell with the reason (never a skip).
    beforeEach(() => {
      if (setupError) throw setupError;
    });

    afterAll(async () => {
      await tsWorker?.stop({ timeoutMs: 5_000 });
      await ctx.pyWorker?.stop();
      await ctx.app?.close();
      if (servicesUp) await resetCombo(c);
    });

    celeriacProducerCells(ctx);
    pythonProducerCells(ctx);
    mixedCells(ctx);
    replaceCells(ctx);
    signatureCells(ctx);
  });
}
