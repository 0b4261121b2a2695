/**
 * Replace large signature dicts in planned messages by references stored once in the backend
 * (see canvas/reference.ts). Each distinct dict is stored once per publish, however many messages
 * carry it (every header task of a chord carries the same body).
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import { chainCursor, isReference, readChainCursor, referenceStub } from '../canvas/reference.js';
import type { PlannedMessage } from '../canvas/plan-types.js';
import { newId } from '../ids.js';
import type { SignatureDict } from '../protocol/message.js';

/**
 * Swap every embedded dict larger than `thresholdBytes` for a stub, and a chain remainder of two or
 * more steps larger than that (in all) for a chain cursor; store the originals first.
 */
export async function referenceLargeEmbeds(messages: readonly PlannedMessage[], backend: ResultBackend, thresholdBytes: number): Promise<void> {
  const stubs = new Map<SignatureDict, SignatureDict>();
  const writes: Array<Promise<void>> = [];
  const ref = (dict: SignatureDict): SignatureDict => {
    if (isReference(dict)) return dict;
    const known = stubs.get(dict);
    if (known) return known;
    if (JSON.stringify(dict).length <= thresholdBytes) {
      stubs.set(dict, dict);
      return dict;
    }
    const key = `celeriac-canvas-${newId()}`;
    const stub = referenceStub(dict, key);
    stubs.set(dict, stub);
    writes.push(backend.storeCanvas(key, dict));
    return stub;
  };
  for (const { message } of messages) {
    const embed = message.embed;
    if (embed.chord) embed.chord = ref(embed.chord);
    if (embed.chain) embed.chain = chainCursorOf(embed.chain, thresholdBytes, backend, writes) ?? embed.chain.map(ref);
    if (embed.callbacks) embed.callbacks = embed.callbacks.map(ref);
    if (embed.errbacks) embed.errbacks = embed.errbacks.map(ref);
  }
  await Promise.all(writes);
}

/**
 * A one-element chain holding a cursor over `chain` (stored once, in execution order), or
 * `undefined` when the chain stays inline: one step, already a cursor, or small.
 */
function chainCursorOf(chain: readonly SignatureDict[], thresholdBytes: number, backend: ResultBackend, writes: Array<Promise<void>>): SignatureDict[] | undefined {
  if (chain.length < 2 || chain.some((dict) => readChainCursor(dict) !== undefined)) return undefined;
  const steps = [...chain].reverse();
  let bytes = 0;
  for (const step of steps) {
    bytes += JSON.stringify(step).length;
    if (bytes > thresholdBytes) break;
  }
  if (bytes <= thresholdBytes) return undefined;
  const key = `celeriac-chain-${newId()}`;
  writes.push(backend.storeChain(key, steps));
  return [chainCursor({ key, at: 0, length: steps.length })];
}
