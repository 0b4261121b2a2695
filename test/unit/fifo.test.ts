import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/broker/fifo.js';

describe('Fifo (memory queues, the AMQP outbox)', () => {
  it('keeps first-in-first-out order across compactions, front re-inserts and removals', () => {
    const queue = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    // A deterministic mix of operations, checked against a plain array after every step.
    for (let step = 0; step < 20_000; step += 1) {
      const op = (step * 7919) % 10;
      if (op < 5) {
        queue.push(next);
        model.push(next);
        next += 1;
      } else if (op < 8) {
        expect(queue.shift()).toBe(model.shift());
      } else if (op === 8 && model.length > 2) {
        const back = [next, next + 1];
        next += 2;
        queue.unshift(back);
        model.unshift(...back);
      } else if (model.length > 0) {
        const victim = model[Math.floor(model.length / 2)]!;
        expect(queue.remove(victim)).toBe(true);
        model.splice(model.indexOf(victim), 1);
      }
      expect(queue.length).toBe(model.length);
      expect(queue.peek()).toBe(model[0]);
    }
    expect(queue.toArray()).toEqual(model);
    const odd = queue.removeWhere((value) => value % 2 === 1);
    expect(odd).toEqual(model.filter((value) => value % 2 === 1));
    expect(queue.toArray()).toEqual(model.filter((value) => value % 2 === 0));
    expect(queue.remove(-1)).toBe(false);
  });

  it('stays in order when long runs of shifts compact its storage', () => {
    const queue = new Fifo<number>();
    for (let value = 0; value < 5_000; value += 1) queue.push(value);
    for (let value = 0; value < 4_000; value += 1) expect(queue.shift()).toBe(value);
    queue.push(5_000);
    expect(queue.length).toBe(1_001);
    expect(queue.toArray()).toEqual(Array.from({ length: 1_001 }, (_, i) => 4_000 + i));
  });

  it('shift on an empty queue gives undefined', () => {
    const queue = new Fifo<string>();
    expect(queue.shift()).toBeUndefined();
    queue.push('a');
    expect(queue.shift()).toBe('a');
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });
});
