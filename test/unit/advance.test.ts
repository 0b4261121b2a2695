/**
 * Exactly-once advancing (issue 12 item 4), without a broker: a task's follow-ups are sent once per
 * task id across deliveries; a redelivery after a claim that was never confirmed sends them again
 * with the same derived ids; a twin running at the same time sends nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/backend/memory.js';
import { advanceOnce, followUpId, withFollowUpId } from '../../src/worker/advance.js';
import type { SignatureDict } from '../../src/protocol/message.js';

const dict: SignatureDict = { task: 'next', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };

describe('advanceOnce', () => {
  it('sends once; a later delivery, redelivered or not, sends nothing', async () => {
    const backend = new MemoryBackend({ name: randomUUID() });
    let sends = 0;
    const send = async (): Promise<void> => void (sends += 1);
    expect(await advanceOnce(backend, 't1', false, send)).toBe(true);
    expect(await advanceOnce(backend, 't1', true, send)).toBe(false);
    expect(await advanceOnce(backend, 't1', false, send)).toBe(false);
    expect(sends).toBe(1);
  });

  it('a redelivery resends when the claimer died before confirming; a concurrent twin does not', async () => {
    const backend = new MemoryBackend({ name: randomUUID() });
    let sends = 0;
    await expect(advanceOnce(backend, 't2', false, async () => Promise.reject(new Error('killed')))).rejects.toThrow('killed');
    expect(await advanceOnce(backend, 't2', false, async () => void (sends += 1))).toBe(false); // twin
    expect(await advanceOnce(backend, 't2', true, async () => void (sends += 1))).toBe(true); // redelivery
    expect(sends).toBe(1);
  });
});

describe('follow-up ids', () => {
  it('are derived from the parent id and slot, UUID-shaped and stable', () => {
    const a = followUpId('parent', 'chain');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(followUpId('parent', 'chain')).toBe(a);
    expect(followUpId('parent', 'link:0')).not.toBe(a);
    expect(followUpId('other', 'chain')).not.toBe(a);
  });

  it('are given to plain signatures without an id only', () => {
    expect(withFollowUpId(dict, 'p', 'link:0').options.task_id).toBe(followUpId('p', 'link:0'));
    expect(withFollowUpId({ ...dict, options: { task_id: 'mine' } }, 'p', 'link:0').options.task_id).toBe('mine');
    expect(withFollowUpId({ ...dict, subtask_type: 'chain' }, 'p', 'link:0').options.task_id).toBeUndefined();
  });
});
