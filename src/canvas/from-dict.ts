/**
 * Revive Celery's signature dict (from a message or a result) into a canvas value.
 * @module
 */
import { CanvasError } from '../errors.js';
import type { SignatureDict } from '../protocol/message.js';
import type { AnyCanvas, CanvasApplier } from './canvas.js';
import { Chain } from './chain.js';
import { Chord } from './chord.js';
import { Group } from './group.js';
import { Chunks, XMap, XStarmap } from './map.js';
import { Signature } from './signature.js';

function isSignatureDict(value: unknown): value is SignatureDict {
  return typeof value === 'object' && value !== null && typeof (value as { task?: unknown }).task === 'string';
}

function dictList(value: unknown, what: string): SignatureDict[] {
  if (!Array.isArray(value) || !value.every(isSignatureDict)) throw new CanvasError(`${what}: expected a list of signatures`);
  return value;
}

/** Revive a signature dict (any `subtask_type`) bound to `applier`. Throws {@link CanvasError} on bad input. */
export function signatureFromDict(dict: unknown, applier?: CanvasApplier): AnyCanvas {
  if (!isSignatureDict(dict)) throw new CanvasError('not a signature dict (no "task" name)');
  const kwargs = (dict.kwargs ?? {}) as Record<string, unknown>;
  const options = dict.options ?? {};
  const revive = (value: unknown): AnyCanvas => signatureFromDict(value, applier);
  let canvas: AnyCanvas;
  switch (dict.subtask_type ?? null) {
    case null:
      canvas = new Signature(
        { task: dict.task, args: dict.args ?? [], kwargs, options, immutable: Boolean(dict.immutable) },
        applier,
      );
      return canvas;
    case 'chain':
      canvas = new Chain(dictList(kwargs['tasks'], 'chain').map(revive), applier);
      break;
    case 'group':
      canvas = new Group(dictList(kwargs['tasks'], 'group').map(revive), applier);
      break;
    case 'chord': {
      // Python sends the header as a list of signatures; celeriac as a group dict. A chain dict gives
      // its steps and one signature a one-member header, as Celery's chord() does.
      const raw = kwargs['header'];
      const header = Array.isArray(raw) ? dictList(raw, 'chord header').map(revive) : revive(raw);
      canvas = new Chord(header, revive(kwargs['body']), applier);
      break;
    }
    case 'xmap':
    case 'xstarmap': {
      const items = kwargs['it'];
      if (!Array.isArray(items)) throw new CanvasError(`${dict.subtask_type}: "it" must be a list`);
      const inner = revive(kwargs['task']);
      canvas = dict.subtask_type === 'xmap' ? new XMap(inner, items, applier) : new XStarmap(inner, items as unknown[][], applier);
      break;
    }
    case 'chunks': {
      const items = kwargs['it'];
      if (!Array.isArray(items)) throw new CanvasError('chunks: "it" must be a list');
      canvas = new Chunks(revive(kwargs['task']), items as unknown[][], Number(kwargs['n']), applier);
      break;
    }
    default:
      throw new CanvasError(`unknown subtask_type '${String(dict.subtask_type)}'`);
  }
  const withOptions = canvas.setRaw(options);
  return dict.immutable ? withOptions.asImmutable() : withOptions;
}
