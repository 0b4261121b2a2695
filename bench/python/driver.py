"""Producer side of the Celery peer: reads one JSON command per line on stdin, answers one JSON line.

Commands (times in ms, measured here with perf_counter so process start-up is never counted):
  {"op": "enqueue", "n": N, "queue": Q}  send N noop tasks to Q, no waiting -> {"ms"}
  {"op": "e2e", "n": N, "queue": Q}      send N noop tasks to Q, wait all   -> {"enqueue_ms", "ms"}
  {"op": "chain", "steps": S}      chain of S inc steps from 0         -> {"ms", "value"}
  {"op": "chord", "n": N}          chord of N inc headers into xsum    -> {"ms", "value"}
  {"op": "group", "n": N}          group of N inc tasks, joined        -> {"ms", "value"}
  {"op": "quit"}
"""
import json
import sys
import time

from celery import chain, chord, group
from celery.result import ResultSet

from bench_app import inc, noop, xsum

TIMEOUT = 600


def ms_since(t0):
    return (time.perf_counter() - t0) * 1000.0


def run(cmd):
    op = cmd["op"]
    if op == "enqueue":
        t0 = time.perf_counter()
        for _ in range(cmd["n"]):
            noop.apply_async(queue=cmd["queue"])
        return {"ms": ms_since(t0)}
    if op == "e2e":
        t0 = time.perf_counter()
        results = [noop.apply_async(queue=cmd["queue"]) for _ in range(cmd["n"])]
        enqueue_ms = ms_since(t0)
        ResultSet(results).join_native(timeout=TIMEOUT)
        return {"enqueue_ms": enqueue_ms, "ms": ms_since(t0)}
    if op == "chain":
        steps = cmd["steps"]
        t0 = time.perf_counter()
        value = chain(inc.s(0), *[inc.s() for _ in range(steps - 1)]).apply_async().get(timeout=TIMEOUT)
        return {"ms": ms_since(t0), "value": value}
    if op == "chord":
        n = cmd["n"]
        t0 = time.perf_counter()
        value = chord([inc.s(i) for i in range(n)], xsum.s()).apply_async().get(timeout=TIMEOUT)
        return {"ms": ms_since(t0), "value": value}
    if op == "group":
        n = cmd["n"]
        t0 = time.perf_counter()
        value = group(inc.s(i) for i in range(n)).apply_async().get(timeout=TIMEOUT)
        return {"ms": ms_since(t0), "value": len(value)}
    raise ValueError("unknown op " + op)


def main():
    sys.stdout.write(json.dumps({"event": "ready"}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        try:
            reply = run(cmd)
        except Exception as exc:  # reported to the runner, which fails the measurement
            reply = {"error": "%s: %s" % (type(exc).__name__, exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
