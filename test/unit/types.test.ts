import { describe, expectTypeOf, it } from 'vitest';
import { Celeriac, chain, chord, group, type AsyncResult, type GroupResult, type Signature } from '../../src/index.js';

const app = new Celeriac({ logLevel: 'silent' });
const add = app.task('add', (x: number, y: number) => x + y);
const shout = app.task('shout', async (s: string) => s.toUpperCase());
const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));

describe('types flow end to end (checked by tsc in npm test)', () => {
  it('task signatures carry argument and result types', () => {
    expectTypeOf(add.s(1, 2)).toEqualTypeOf<Signature<number>>();
    expectTypeOf(add.s(1)).toEqualTypeOf<Signature<number>>();
    expectTypeOf(shout.s('x')).toEqualTypeOf<Signature<string>>();
    // @ts-expect-error a numeric task does not take a string
    add.s('x');
    // @ts-expect-error si() needs every argument
    add.si(1);
    // @ts-expect-error too many arguments
    add.s(1, 2, 3);
    // partial args are the trailing parameters: the parent's result is prepended
    const greet = app.task('greet', (orderId: string, customer: { name: string }) => `${orderId}:${customer.name}`);
    expectTypeOf(greet.s({ name: 'x' })).toEqualTypeOf<Signature<string>>();
    // @ts-expect-error the last parameter is an object, not a string
    greet.s('order-1');
    expectTypeOf(add.delay).returns.toEqualTypeOf<Promise<AsyncResult<number>>>();
  });

  it('canvases carry result types', () => {
    expectTypeOf(chain(add.s(1, 2), shout.s()).applyAsync).returns.toEqualTypeOf<Promise<AsyncResult<string>>>();
    expectTypeOf(add.s(1, 1).pipe(add.s(2), shout.s())).toMatchTypeOf<{ __result?: string }>();
    expectTypeOf(group(add.s(1, 1), shout.s('a')).applyAsync).returns.toEqualTypeOf<Promise<GroupResult<[number, string]>>>();
    expectTypeOf(chord([add.s(1, 1)], xsum.s()).applyAsync).returns.toEqualTypeOf<Promise<AsyncResult<number>>>();
    expectTypeOf(add.starmap([[1, 2]]).applyAsync).returns.toEqualTypeOf<Promise<AsyncResult<number[]>>>();
    // @ts-expect-error starmap items must match the argument tuple
    add.starmap([['a', 2]]);
  });
});
