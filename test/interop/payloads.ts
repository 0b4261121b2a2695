/**
 * The argument payloads both producers send to `echo` (the same literals are in python/produce.py):
 * unicode beyond the BMP, non-integral floats, null, booleans and nested objects. Floats are
 * non-integral on purpose: JavaScript cannot tell 2.0 from 2, Python can.
 */
export const ECHO_ARGS: unknown[] = ['héllo wörld ✓ 日本語 🎉', 1.5, null, { nested: [1, { x: 2.25 }] }, true];

export const ECHO_KWARGS: Record<string, unknown> = {
  unicode: 'ñandú 日本',
  float: 0.1,
  none: null,
  nested: { a: [1, 2, { b: null }], e: {} },
};

/** How early a task may appear to run relative to its ETA (clock rounding between µs and ms). */
export const ETA_SLACK_MS = 50;
