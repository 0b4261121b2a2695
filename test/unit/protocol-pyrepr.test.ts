/**
 * pythonRepr / argsRepr / kwargsRepr against Celery 5.2.6's own `saferepr`.
 * The expected strings were produced on this machine with
 * `celery.utils.saferepr.saferepr(value, maxlen)` (celery 5.2.6, Python 3.11); `args` cases pass
 * `tuple(input)`, as Celery does for `argsrepr`.
 */
import { describe, expect, it } from 'vitest';
import { argsRepr, kwargsRepr, pythonRepr } from '../../src/protocol/pyrepr.js';
import { brokerMessages } from '../fixtures/vectors.js';

type Case = ['args' | 'kwargs' | 'value', unknown, number | null, string];

const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const FROM_PYTHON: Case[] = [
  ['args', [2, 3], 1024, '(2, 3)'],
  ['args', [1], 1024, '(1,)'],
  ['args', [], 1024, '()'],
  ['kwargs', {}, 1024, '{}'],
  ['kwargs', { a: 1, b: 'two' }, 1024, "{'a': 1, 'b': 'two'}"],
  ['args', ["it's", 'a"b', 'back\\slash', 'new\nline', 'tab\t', '\u0000', 'héllo ☃', '😀 emoji'], 1024, "('it\\'s', 'a\"b', 'back\\slash', 'new\nline', 'tab\t', '\u0000', 'héllo ☃', '😀 emoji')"],
  [
    'args',
    [0.1, 2.5, 1e16, 1000000000000000.5, 1e-5, 0.0001, 1.5e300, -3.25, 123456789.123, 2 ** 60, 5e-324, 1.7976931348623157e308],
    1024,
    '(0.1, 2.5, 1e+16, 1000000000000000.5, 1e-05, 0.0001, 1.5e+300, -3.25, 123456789.123, 1.152921504606847e+18, 5e-324, 1.7976931348623157e+308)',
  ],
  ['args', [null, true, false, -5, 0, 9007199254740991], 1024, '(None, True, False, -5, 0, 9007199254740991)'],
  ['args', [1, [2, 3, [4, [5]]], { k: 'v' }], 1024, "(1, [2, 3, [4, [...]]], {'k': 'v'})"],
  ['kwargs', { name: 'héllo ☃', nested: { a: [1, { b: null }] } }, 1024, "{'name': 'héllo ☃', 'nested': {'a': [1, {...}]}}"],
  ['args', [1, 'a'.repeat(30), 3], 10, "(1, 'aaaaaa...', ...)"],
  ['args', ['a'.repeat(2000)], 1024, `('${'a'.repeat(1023)}...', ...`],
  ['args', [words], 1024, `('${words.split(' ').slice(0, 141).join(' ')}...',)`],
  ['args', [Array.from({ length: 20 }, () => range(10).map((i) => i + 1)).flat()], 50, '([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, , ...],)'],
  ['args', [{ a: [1, 2, 'word word word word'], b: 2 }], 20, "({'a': [1, 2, 'word...', ...},)"],
  ['kwargs', { ['longkey'.repeat(5)]: 1 }, 10, "{'longkeylo...', ...}"],
  ['args', ['x y z '.repeat(10)], 12, "('x y z x y...', ..."],
  ['args', [1, 2, 3], 3, '(1, , ...)'],
  ['args', [[1, 2]], 1, '(, ...],)'],
  ['args', [['a b c d e f g h', 2], [3]], 8, "(['a b c...', ...])"],
  ['args', [12345678901], 5, '(1234..., ...'],
  ['args', [[[[[]]]], { a: { b: { c: {} } } }], 1024, "([[[...]]], {'a': {'b': {...}}})"],
  ['kwargs', { x: range(400) }, 1024, `{'x': [${range(225).join(', ')}, 22..., ...]}`],
  ['kwargs', { s: "quote ' inside", k: [null, [], {}] }, 1024, "{'s': 'quote \\' inside', 'k': [None, [], {}]}"],
  ['value', { deep: [[['x']]] }, null, "{'deep': [[[...]]]}"],
  ['value', 'plain string', null, "'plain string'"],
  ['value', 42, null, '42'],
  ['value', [], 0, ', ...]'],
];

describe('pythonRepr matches Celery saferepr', () => {
  it.each(FROM_PYTHON.map((c, i) => [i, ...c] as const))('case %i (%s, max %s)', (_i, kind, input, max, expected) => {
    const actual =
      kind === 'args'
        ? argsRepr(input as unknown[], max)
        : kind === 'kwargs'
          ? kwargsRepr(input as Record<string, unknown>, max)
          : pythonRepr(input, max);
    expect(actual).toBe(expected);
  });
});

describe('JavaScript values Python does not have', () => {
  it('writes bytes like saferepr: UTF-8 text, or hex when not UTF-8', () => {
    expect(argsRepr([new Uint8Array([97, 98, 99]), Buffer.from([0xff, 0x00])])).toBe("(b'abc', b'ff00')");
  });

  it('writes Dates as their JSON string (what JSON sends), Sets and Maps as Python sets and dicts', () => {
    expect(argsRepr([new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))])).toBe("('2026-01-02T03:04:05.006Z',)");
    expect(argsRepr([new Set([1, 2]), new Set(), new Map([['k', 1]])])).toBe("({1, 2}, set(), {'k': 1})");
  });

  it('leaves out undefined values of objects and writes None for holes in arrays, as JSON does', () => {
    expect(kwargsRepr({ a: undefined, b: 1 })).toBe("{'b': 1}");
    expect(argsRepr([undefined, () => 1])).toBe('(None, None)');
  });

  it('writes integral numbers as ints (JS cannot tell 1.0 from 1), bigints as ints, -0 as -0.0', () => {
    expect(argsRepr([1.0, 10n ** 20n, -0, NaN, Infinity, -Infinity, 2 ** 53])).toBe('(1, 100000000000000000000, -0.0, nan, inf, -inf, 9007199254740992.0)');
  });

  it('does not loop on cycles', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(pythonRepr(cyclic, null)).toBe('[1, <Recursion on list>]');
  });

  it('defaults to a 1024-character budget', () => {
    expect(argsRepr(['a'.repeat(5000)]).length).toBe(1034);
    expect(pythonRepr('a'.repeat(5000), null)).toHaveLength(5002);
  });
});

describe('the argsrepr/kwargsrepr headers of the captured messages', () => {
  const messages = brokerMessages('json');

  it.each(messages.map((m) => [m.label, m] as const))('%s: argsrepr is argsRepr(args)', (_label, vector) => {
    const [args] = vector.bodyDecoded as [unknown[]];
    expect(argsRepr(args)).toBe(vector.envelope.headers['argsrepr']);
  });

  it.each(messages.map((m) => [m.label, m] as const))('%s: kwargsrepr is kwargsRepr(kwargs), up to tuples', (_label, vector) => {
    const [, kwargs] = vector.bodyDecoded as [unknown, Record<string, unknown>];
    const python = vector.envelope.headers['kwargsrepr'] as string;
    // Python keeps signature args and chunk items as tuples: `()`, `(4, 4)`. JSON has only lists, so
    // we write `[]`, `[4, 4]`. Brackets never occur inside the strings of these vectors, so mapping
    // tuple brackets to list brackets in Python's text is exact here.
    const pythonWithLists = python.replace(/\(/g, '[').replace(/,?\)/g, ']');
    expect(kwargsRepr(kwargs)).toBe(pythonWithLists);
  });
});

describe('argsrepr fast paths (empty and flat scalar lists) write what the general walk writes', () => {
  it('for whole lists and at every budget', () => {
    const expected: Array<[unknown[], string]> = [
      [[], '()'],
      [[1], '(1,)'],
      [[1, 2], '(1, 2)'],
      [[true, false, null], '(True, False, None)'],
      [[-0], '(-0.0,)'],
      [[2 ** 60], '(1.152921504606847e+18,)'],
      [Array.from({ length: 16 }, (_, i) => i), '(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)'],
      [Array.from({ length: 17 }, (_, i) => i), '(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)'],
    ];
    for (const [args, text] of expected) expect(argsRepr(args)).toBe(text);
    // Written by the general walk before the fast path existed (saferepr's cut rules).
    const cut: Array<[number, string]> = [
      [1, '(, ...)'],
      [2, '(1..., ...)'],
      [5, '(100, , ...)'],
      [7, '(100, 2..., ...'],
      [9, '(100, 200..., ...'],
      [10, '(100, 200)'],
      [11, '(100, 200)'],
    ];
    for (const [budget, text] of cut) expect(argsRepr([100, 200], budget)).toBe(text);
    expect(kwargsRepr({})).toBe('{}');
    expect(kwargsRepr({ a: 1 })).toBe("{'a': 1}");
  });
});
