/**
 * Apply a canvas: walk it and produce the {@link Plan} (messages + chord sizes) and its
 * {@link ResultNode}. Pure: no I/O. Used by producers (`applyAsync`) and by workers (chain steps,
 * callbacks, chord bodies), so both follow exactly the same rules (wire README §3):
 * - chain: only the first step is sent; the rest travel in `embed.chain`, reversed. A group followed
 *   by a step becomes a chord. The chain's `link_error` goes to every step, its `link` to the last.
 * - group: every member is sent with `group` = the group id and `group_index` = its position.
 * - chord: header members carry the body in `embed.chord`; the chord size is recorded first.
 * @module
 */
import { CanvasError } from '../errors.js';
import { newId } from '../ids.js';
import type { SignatureDict, SignatureOptionsDict } from '../protocol/message.js';
import type { AnyCanvas } from './canvas.js';
import { Chain } from './chain.js';
import { Chord, HEADER_FAILURE_OPTION } from './chord.js';
import { signatureFromDict } from './from-dict.js';
import { Group } from './group.js';
import { Chunks } from './map.js';
import { planTaskMessage } from './plan-message.js';
import { rootContext, type ApplyContext, type Plan, type PlanConfig, type ResultNode } from './plan-types.js';
import { Signature } from './signature.js';
import { isPrototypeKey } from '../protocol/safe-keys.js';

/** Option keys that describe membership (set by the enclosing canvas), not execution. */
const MEMBERSHIP_KEYS = ['task_id', 'group_id', 'group_index', 'chord', 'chain', 'link', 'link_error', 'root_id', 'parent_id'];

function executionOptions(options: SignatureOptionsDict): SignatureOptionsDict {
  const out: SignatureOptionsDict = {};
  for (const [key, value] of Object.entries(options)) if (!MEMBERSHIP_KEYS.includes(key) && !isPrototypeKey(key)) out[key] = value;
  return out;
}

/** Chunks are sent as their group of starmaps; everything else as is. */
function normalize(canvas: AnyCanvas): AnyCanvas {
  return canvas instanceof Chunks ? canvas.toGroup().setRaw(executionOptions(canvas.options)) : canvas;
}

/** Group members with nested groups (and chunks) flattened into one list. */
function flatMembers(group: Group): AnyCanvas[] {
  return group.tasks.flatMap((member) => {
    const m = normalize(member);
    return m instanceof Group ? flatMembers(m) : [m];
  });
}

/** Chain steps with chunks normalized and each group-followed-by-a-step turned into a chord. */
function prepareSteps(steps: readonly AnyCanvas[]): AnyCanvas[] {
  const out: AnyCanvas[] = [];
  for (let i = 0; i < steps.length; i += 1) {
    const step = normalize(steps[i]!);
    const next = steps[i + 1];
    if (step instanceof Group && next !== undefined) {
      out.push(new Chord(step, normalize(next), step.applier));
      i += 1;
    } else {
      out.push(step);
    }
  }
  // A chord produced above may itself be followed by more steps: that is fine (the body continues the chain).
  return out.map((step) => step.freeze());
}

/** The id of the first task a canvas sends (its workflow root). */
export function firstTaskId(canvas: AnyCanvas): string | undefined {
  const c = normalize(canvas);
  if (c instanceof Chain) return c.tasks[0] && firstTaskId(c.tasks[0]);
  if (c instanceof Chord) return (c.header.tasks[0] && firstTaskId(c.header.tasks[0])) ?? firstTaskId(c.body);
  if (c instanceof Group) return (c.tasks[0] && firstTaskId(c.tasks[0])) ?? c.id;
  return c.id;
}

/** The result shape of a frozen canvas, without sending anything. */
export function resultNodeOf(canvas: AnyCanvas): ResultNode {
  const c = normalize(canvas);
  if (c instanceof Chain) {
    let node: ResultNode | undefined;
    for (const step of prepareSteps(c.tasks)) node = { ...resultNodeOf(step), ...(node ? { parent: node } : {}) };
    if (!node) throw new CanvasError('chain() needs at least one step');
    return node;
  }
  if (c instanceof Chord) return { ...resultNodeOf(c.body), parent: resultNodeOf(c.header) };
  if (c instanceof Group) return { kind: 'group', id: requireId(c), children: flatMembers(c).map(resultNodeOf) };
  return { kind: 'task', id: requireId(c) };
}

function requireId(canvas: AnyCanvas): string {
  if (!canvas.id) throw new CanvasError(`internal: ${canvas.task} was not frozen`);
  return canvas.id;
}

/** Plan a top-level apply of `canvas` with partial args/kwargs and call options. */
export function planApply(canvas: AnyCanvas, ctx: Partial<ApplyContext>, config: PlanConfig): { plan: Plan; result: ResultNode } {
  if (canvas instanceof Signature) return planSingle(canvas, ctx, config);
  const callTaskId = ctx.options?.task_id;
  const withId = callTaskId ? normalize(canvas).setRaw({ task_id: callTaskId }) : normalize(canvas);
  const frozen = withId.freeze();
  const rootId = ctx.rootId ?? frozen.options.root_id ?? firstTaskId(frozen) ?? newId();
  const plan: Plan = { messages: [], chordSizes: [] };
  const options = frozen instanceof Signature ? { ...(ctx.options ?? {}) } : executionOptions(ctx.options ?? {});
  const result = planNode(frozen, rootContext({ ...ctx, options, rootId }), plan, config);
  return { plan, result };
}

/**
 * A single task (the common case) planned without freezing a copy of it first: the same message
 * and ids as the general path (the call's task id, else the signature's, else a new one; the root
 * is the task itself unless the context or the signature names one).
 */
function planSingle(sig: Signature<unknown>, ctx: Partial<ApplyContext>, config: PlanConfig): { plan: Plan; result: ResultNode } {
  const id = ctx.options?.task_id ?? sig.options.task_id ?? newId();
  const rootId = ctx.rootId ?? sig.options.root_id ?? id;
  const { message } = planTaskMessage(sig, rootContext({ ...ctx, options: { ...ctx.options, task_id: id }, rootId }), config);
  return { plan: { messages: [message], chordSizes: [] }, result: { kind: 'task', id } };
}

/** Plan one node in its context; returns its result shape. */
function planNode(canvas: AnyCanvas, ctx: ApplyContext, plan: Plan, config: PlanConfig): ResultNode {
  const node = normalize(canvas).freeze();
  if (node instanceof Chain) return planChain(node, ctx, plan, config);
  if (node instanceof Chord) return planChord(node, ctx, plan, config);
  if (node instanceof Group) return planGroup(node, ctx, plan, config);
  if (!(node instanceof Signature)) throw new CanvasError(`cannot apply canvas of type ${node.subtaskType}`);
  const { message, id } = planTaskMessage(node, ctx, config);
  plan.messages.push(message);
  return { kind: 'task', id };
}

/** Membership options a composite passes down (ctx wins over what the dict carried). */
function membership(canvas: AnyCanvas, ctx: ApplyContext): Pick<ApplyContext, 'groupId' | 'groupIndex' | 'chord' | 'chain' | 'link' | 'linkError'> {
  const o = canvas.options;
  return {
    groupId: ctx.groupId ?? o.group_id,
    groupIndex: ctx.groupIndex ?? o.group_index ?? undefined,
    chord: ctx.chord ?? o.chord ?? undefined,
    chain: ctx.chain ?? (o.chain && o.chain.length > 0 ? o.chain : null),
    link: [...(o.link ?? []), ...ctx.link],
    linkError: [...(o.link_error ?? []), ...ctx.linkError],
  };
}

function planChain(chain: Chain, ctx: ApplyContext, plan: Plan, config: PlanConfig): ResultNode {
  const m = membership(chain, ctx);
  const steps = prepareSteps(chain.tasks);
  if (steps.length === 0) throw new CanvasError('chain() needs at least one step');
  // A chain reporting to a chord must end in one task-like node: a trailing group is joined first.
  const lastIndex = steps.length - 1;
  if (m.chord && steps[lastIndex] instanceof Group) {
    const accumulate = new Signature({ task: 'celery.accumulate', kwargs: { index: 0 } }, chain.applier);
    steps[lastIndex] = new Chord(steps[lastIndex] as Group, accumulate, chain.applier).freeze();
  }
  const withErrbacks = steps.map((step) => (m.linkError.length > 0 ? step.setRaw({ link_error: [...(step.options.link_error ?? []), ...m.linkError] }) : step));
  const lastMembership: SignatureOptionsDict = {};
  if (m.groupId !== undefined) lastMembership.group_id = m.groupId;
  if (m.groupIndex !== undefined) lastMembership.group_index = m.groupIndex;
  if (m.chord) lastMembership.chord = m.chord;
  if (m.link.length > 0) lastMembership.link = [...(withErrbacks[lastIndex]!.options.link ?? []), ...m.link];
  if (m.chain) lastMembership.chain = m.chain;
  withErrbacks[lastIndex] = withErrbacks[lastIndex]!.setRaw(lastMembership);
  const rest: SignatureDict[] = withErrbacks.slice(1).map((step) => step.toJSON()).reverse();
  const first = withErrbacks[0]!;
  const firstCtx: ApplyContext = {
    ...ctx,
    chain: rest.length > 0 ? rest : null,
    groupId: undefined,
    groupIndex: undefined,
    chord: undefined,
    link: [],
    linkError: [],
  };
  // The first step carries membership (in its options) only when it is also the last.
  const firstNode = planNode(first, firstCtx, plan, config);
  let node: ResultNode = firstNode;
  for (const step of withErrbacks.slice(1)) node = { ...resultNodeOf(step), parent: node };
  return node;
}

function planGroup(group: Group, ctx: ApplyContext, plan: Plan, config: PlanConfig): ResultNode {
  const m = membership(group, ctx);
  if (m.chain) {
    // A group with chain steps after it (e.g. the body of a chord inside a chain) joins into them.
    const restSteps = [...m.chain].reverse().map((dict) => signatureFromDict(dict, group.applier));
    const next = restSteps.length === 1 ? restSteps[0]! : new Chain(restSteps, group.applier);
    return planNode(new Chord(group.setRaw({ chain: [] }), next, group.applier), { ...ctx, chain: null }, plan, config);
  }
  if (group.options.link && group.options.link.length > 0) {
    // group.link(cb): the callback runs once, with every member's result (a chord), not per member.
    const callbacks = group.options.link.map((dict) => signatureFromDict(dict, group.applier));
    const body = callbacks.length === 1 ? callbacks[0]! : new Group(callbacks, group.applier);
    const { link: _link, ...rest } = group.options;
    const plain = new Group(group.tasks, group.applier).setRaw(rest);
    return planNode(new Chord(plain, body, group.applier), ctx, plan, config);
  }
  const gid = group.id ?? newId();
  if (m.linkError.length > 0) return planGroupWithErrbacks(group, gid, m.linkError, ctx, plan, config);
  const members = flatMembers(group).map((member) => member.freeze());
  const memberOptions = { ...executionOptions(group.options), ...executionOptions(ctx.options) };
  const rootId = ctx.rootId ?? (members[0] && firstTaskId(members[0]));
  const children = members.map((member, index) =>
    planNode(
      member,
      {
        ...ctx,
        options: memberOptions,
        rootId,
        chain: null,
        groupId: gid,
        groupIndex: index,
        chord: m.chord,
        link: [],
        linkError: [],
      },
      plan,
      config,
    ),
  );
  return { kind: 'group', id: gid, children };
}

/**
 * A group's errbacks fire once for the group, not once per failing member: the group is joined by a
 * sentinel `celery.accumulate` body whose task id is the group id and which carries the errbacks.
 * If a member fails, the sentinel fails with a ChordError naming it and the errbacks get the group
 * id. The caller still gets the group's result.
 */
function planGroupWithErrbacks(group: Group, gid: string, errbacks: SignatureDict[], ctx: ApplyContext, plan: Plan, config: PlanConfig): ResultNode {
  const { link_error: _errbacks, ...options } = group.options;
  const plain = new Group(group.tasks, group.applier).setRaw({ ...options, task_id: gid });
  const sentinel = new Signature({ task: 'celery.accumulate', options: { task_id: gid, link_error: errbacks, ignore_result: false } }, group.applier);
  const node = planNode(new Chord(plain, sentinel, group.applier), { ...ctx, linkError: [] }, plan, config);
  return node.parent ?? node;
}

function planChord(chord: Chord, ctx: ApplyContext, plan: Plan, config: PlanConfig): ResultNode {
  const m = membership(chord, ctx);
  const gid = chord.id ?? chord.header.id ?? newId();
  const header = chord.header.setRaw({ task_id: gid }).freeze();
  const bodyMembership: SignatureOptionsDict = {};
  if (m.groupId !== undefined) bodyMembership.group_id = m.groupId;
  if (m.groupIndex !== undefined) bodyMembership.group_index = m.groupIndex;
  if (m.chord) bodyMembership.chord = m.chord;
  if (m.chain) bodyMembership.chain = m.chain;
  if (m.link.length > 0) bodyMembership.link = [...(chord.body.options.link ?? []), ...m.link];
  if (m.linkError.length > 0) bodyMembership.link_error = [...(chord.body.options.link_error ?? []), ...m.linkError];
  if (chord.options[HEADER_FAILURE_OPTION]) bodyMembership[HEADER_FAILURE_OPTION] = chord.options[HEADER_FAILURE_OPTION];
  const body = normalize(chord.body).setRaw({ ...bodyMembership, ...executionOptions(ctx.options) }).freeze();
  const members = flatMembers(header);
  const rootId = ctx.rootId ?? (members[0] && firstTaskId(members[0])) ?? body.id;
  const headerNode: ResultNode = { kind: 'group', id: gid, children: [] };
  if (members.length === 0) {
    const bodyNode = planNode(body, rootContext({ args: [[]], rootId, parentId: ctx.parentId }), plan, config);
    return { ...bodyNode, parent: headerNode };
  }
  plan.chordSizes.push({ groupId: gid, size: members.length });
  const groupNode = planGroup(
    header,
    { ...ctx, rootId, chain: null, groupId: undefined, groupIndex: undefined, chord: body.toJSON(), link: [], linkError: [] },
    plan,
    config,
  );
  return { ...resultNodeOf(body), parent: groupNode };
}
