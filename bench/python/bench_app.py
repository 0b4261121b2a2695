"""Celery 5.2.6 side of the celeriac benchmark: the app, its tasks, and worker instrumentation.

Configured from the environment (set by bench/systems/celery.ts):
  BENCH_BROKER   broker URL (redis://127.0.0.1:6379/14 or amqp://...)
  BENCH_BACKEND  result backend URL (redis://127.0.0.1:6379/14)
  BENCH_QUEUE    the queue the tasks go to
  BENCH_EXPECT   (worker only) print a "drained" line once this many tasks finished

The worker writes JSON lines to the real stdout (fd 1): {"event": "ready"} once it consumes and
{"event": "drained", "ms": ...} when BENCH_EXPECT tasks finished (counted across pool processes),
timed from "ready". perf_counter is CLOCK_MONOTONIC, shared by the forked pool processes.
The runner measures the CPU time of the whole worker process tree itself.
"""
import json
import multiprocessing
import os
import time

from celery import Celery
from celery.signals import task_postrun, worker_ready

app = Celery(
    "bench",
    broker=os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/14"),
    backend=os.environ.get("BENCH_BACKEND", "redis://127.0.0.1:6379/14"),
)
app.conf.update(
    task_default_queue=os.environ.get("BENCH_QUEUE", "celeriac_bench_celery"),
    worker_redirect_stdouts=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name="noop")
def noop():
    return None


@app.task(name="inc")
def inc(x):
    return x + 1


@app.task(name="xsum")
def xsum(values):
    return sum(values)


def emit(event):
    os.write(1, (json.dumps(event) + "\n").encode())


_expect = int(os.environ.get("BENCH_EXPECT", "0"))
# Shared memory created before the prefork pool forks, so every pool process counts into one place
# (with the threads pool it is simply process memory). Values: finished count, t0, cpu0.
_count = multiprocessing.Value("l", 0)
_t0 = multiprocessing.Value("d", -1.0)


@worker_ready.connect
def _on_ready(**_kwargs):
    _t0.value = time.perf_counter()
    emit({"event": "ready"})


@task_postrun.connect
def _on_postrun(**_kwargs):
    if _expect <= 0:
        return
    with _count.get_lock():
        _count.value += 1
        done = _count.value == _expect
    if done and _t0.value >= 0:
        emit({"event": "drained", "ms": (time.perf_counter() - _t0.value) * 1000.0})
