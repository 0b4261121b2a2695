/**
 * The §W6 node types as seen by the engine: which ready nodes start without a task message of
 * their own (wait, approval, timer, map) and how; a decision's outcome check and the branches it
 * skips. The engine calls these three hooks and knows nothing else about node types.
 * @module
 */
import type { GraphNode } from '../../definition/spec.js';
import type { NodeOutcome, RunMeta } from '../../store/store.js';
import type { WorkflowEngine } from '../engine.js';
import type { NodeCall } from '../node-message.js';
import { checkDecision, unchosenTargets } from './decision.js';
import { startMap } from './map.js';
import type { KindDeps } from './shared.js';
import { startTimer } from './timer.js';
import { startWait } from './wait.js';

/** The hooks the engine calls (see the module documentation). */
export class NodeKinds {
  constructor(readonly deps: KindDeps) {}

  /** Start the typed nodes among `calls`; return the ones that are ordinary task messages. */
  async start(engine: WorkflowEngine, meta: RunMeta, calls: readonly NodeCall[]): Promise<NodeCall[]> {
    const plain: NodeCall[] = [];
    const typed: Array<Promise<void>> = [];
    for (const call of calls) {
      switch (call.node.type) {
        case 'wait':
        case 'approval':
          typed.push(startWait(engine, this.deps, meta, call));
          break;
        case 'timer':
          typed.push(startTimer(engine, this.deps, meta, call));
          break;
        case 'map':
          typed.push(startMap(engine, this.deps, call));
          break;
        default:
          plain.push(call);
      }
    }
    await Promise.all(typed);
    return plain;
  }

  /** A decision that named no branch fails. */
  adjust(node: GraphNode | undefined, outcome: NodeOutcome): NodeOutcome {
    return checkDecision(node, outcome);
  }

  /** The nodes a settled decision skips (undefined for any other node). */
  unchosen(node: GraphNode | undefined, status: string | undefined, result: unknown): ReadonlySet<string> | undefined {
    return unchosenTargets(node, status, result);
  }
}
