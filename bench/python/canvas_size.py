"""W5 for Python Celery: encoded bytes Celery publishes when a canvas is applied.

Counts, for every message published (signal before_task_publish), the JSON body bytes + JSON of
the headers + JSON of the properties: the measure celeriac's CountingBroker uses. Uses kombu's
in-memory transport so nothing reaches a real broker; chords need a backend that counts chord
parts, so the result backend is the peers' Redis DB (BENCH_BACKEND), flushed by the runner.

Reads one JSON line on stdin, {"cases": [{"kind": "chain_of_chords", "chords": 3, "width": 50},
{"kind": "group", "n": 10000}]}, and prints one JSON line {"sizes": [{"messages", "bytes"}, ...]}.
Celery 5.2.6 embeds chains of chords exponentially (about ×50 per added chord of width 50), so
the runner keeps those cases small.
"""
import json
import os
import sys

from celery import Celery, chain, chord, group
from celery.signals import before_task_publish
from kombu.serialization import dumps

app = Celery("bench_size", broker="memory://", backend=os.environ.get("BENCH_BACKEND", "redis://127.0.0.1:6379/14"))
app.conf.task_default_queue = "celeriac_bench_size"

inc = app.signature("inc")
xsum = app.signature("xsum")
counter = {"messages": 0, "bytes": 0}


@before_task_publish.connect
def _count(body=None, headers=None, properties=None, **_kwargs):
    _, _, payload = dumps(body, serializer="json")
    size = len(payload if isinstance(payload, bytes) else payload.encode())
    size += len(json.dumps(headers, default=str).encode()) + len(json.dumps(properties, default=str).encode())
    counter["messages"] += 1
    counter["bytes"] += size


def canvas_for(case):
    if case["kind"] == "group":
        return group(app.signature("inc", (i,)) for i in range(case["n"]))
    width = case["width"]
    steps = []
    for k in range(case["chords"]):
        header = [app.signature("inc", (i,)) if k == 0 else app.signature("inc") for i in range(width)]
        steps.append(chord(header, app.signature("xsum")))
    return chain(*steps)


def measure(case):
    counter["messages"] = 0
    counter["bytes"] = 0
    canvas_for(case).apply_async()
    return dict(counter)


if __name__ == "__main__":
    request = json.loads(sys.stdin.readline())
    print(json.dumps({"sizes": [measure(case) for case in request["cases"]]}), flush=True)
