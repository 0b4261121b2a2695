"""The Celery app the fixtures are captured with. Its module name is part of the fixtures (task
names `wiretasks.add`, exception module `wiretasks`), so it keeps this name.

Environment (set by capture.py):
  WIRE_SER       json (default) | msgpack: task_serializer and result_serializer
  WIRE_EXTENDED  1: result_extended=True
  WIRE_REDIS     broker and result backend (default redis://127.0.0.1:6379/9)
  WIRE_BROKER    another broker (the AMQP capture)
"""
import os
import time

from celery import Celery

SER = os.environ.get('WIRE_SER', 'json')
REDIS_URL = os.environ.get('WIRE_REDIS', 'redis://127.0.0.1:6379/9')

app = Celery('wiretasks', broker=os.environ.get('WIRE_BROKER', REDIS_URL), backend=REDIS_URL)
app.conf.update(
    task_serializer=SER,
    result_serializer=SER,
    accept_content=['json', 'msgpack'],
    result_accept_content=['json', 'msgpack'],
    result_extended=os.environ.get('WIRE_EXTENDED') == '1',
    worker_hijack_root_logger=False,
)


class WireError(Exception):
    """A custom exception with two arguments (shows exc_module / exc_type / exc_message)."""


@app.task
def add(x, y):
    return x + y


@app.task
def mul(x, y):
    return x * y


@app.task
def xsum(numbers):
    return sum(numbers)


@app.task
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


@app.task
def fail(message):
    raise ValueError(message)


@app.task
def fail_custom(code):
    raise WireError('custom failure', code)


@app.task(track_started=True)
def sleepy(seconds, value):
    time.sleep(seconds)
    return value


@app.task(bind=True, max_retries=2, default_retry_delay=1)
def flaky(self, x):
    """Retries twice, one second apart, then returns x * 10."""
    if self.request.retries < 2:
        raise self.retry(exc=RuntimeError('flaky attempt %d' % self.request.retries))
    return x * 10


@app.task(bind=True, max_retries=1, default_retry_delay=1)
def always_retry(self):
    """Retries once, then fails with its KeyError (retry limit exceeded)."""
    raise self.retry(exc=KeyError('never works'))


@app.task
def on_error_new(request, exc, traceback):
    """A new-style errback (more than one argument): called inside the worker."""
    return 'new-style errback saw %r for %s' % (exc, request.id)


@app.task
def on_error_old(task_id):
    """An old-style errback: sent as a task with the failed task's id."""
    return 'old-style errback for %s' % task_id
