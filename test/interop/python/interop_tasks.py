"""Python side of celeriac's interop tests: a Celery 5.2.6 app configured from the environment.

Environment:
  CELERY_BROKER_URL      broker URL (redis://127.0.0.1:6379/10 or amqp://guest:guest@127.0.0.1:5672//)
  CELERY_RESULT_BACKEND  result backend URL (a Redis URL)
  INTEROP_SERIALIZER     json | msgpack: task_serializer and result_serializer
  INTEROP_PY_QUEUE       queue of the py.* tasks (Python workers consume only this one)
  INTEROP_TS_QUEUE       queue of the ts.* tasks (celeriac workers consume only this one)
  INTEROP_MAX_PRIORITY   x-max-priority of every queue (RabbitMQ priorities); unset: none

Tasks are named py.*; ts.* tasks exist only in celeriac and are reached by name (routes below).
"""
import os
from datetime import datetime, timezone

from celery import Celery, group, signature

SERIALIZER = os.environ.get('INTEROP_SERIALIZER', 'json')
if SERIALIZER not in ('json', 'msgpack'):
    raise SystemExit(f'INTEROP_SERIALIZER must be json or msgpack, got {SERIALIZER!r}')
PY_QUEUE = os.environ.get('INTEROP_PY_QUEUE', 'celeriac_interop_py')
TS_QUEUE = os.environ.get('INTEROP_TS_QUEUE', 'celeriac_interop_ts')
MAX_PRIORITY = os.environ.get('INTEROP_MAX_PRIORITY')
BROKER_URL = os.environ.get('CELERY_BROKER_URL', 'redis://127.0.0.1:6379/10')
BACKEND_URL = os.environ.get('CELERY_RESULT_BACKEND', 'redis://127.0.0.1:6379/10')

app = Celery('interop_tasks', broker=BROKER_URL, backend=BACKEND_URL)
app.conf.update(
    task_serializer=SERIALIZER,
    result_serializer=SERIALIZER,
    # A worker only decodes what it accepts: celeriac may send either format.
    accept_content=['json', 'msgpack'],
    result_accept_content=['json', 'msgpack'],
    # One queue per language: a Python worker rejects (and loses) tasks it does not know.
    task_routes={'py.*': {'queue': PY_QUEUE}, 'ts.*': {'queue': TS_QUEUE}},
    task_default_queue=PY_QUEUE,
    task_queue_max_priority=int(MAX_PRIORITY) if MAX_PRIORITY else None,
    # The tests start and stop their own workers; nothing else talks to them.
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    result_expires=600,
)


def _now_iso():
    return datetime.now(timezone.utc).isoformat()


@app.task(name='py.add')
def add(x, y):
    return x + y


@app.task(name='py.mul')
def mul(x, y):
    return x * y


@app.task(name='py.xsum')
def xsum(values):
    return sum(values)


@app.task(name='py.echo')
def echo(*args, **kwargs):
    """Returns what it was called with, so the other side can compare types."""
    return {'args': list(args), 'kwargs': kwargs}


@app.task(name='py.info', bind=True)
def info(self, *args):
    """What the worker saw in the message: ids, ETA/expiry, priority, plus when it ran."""
    request = self.request
    delivery_info = request.delivery_info or {}
    return {
        'id': request.id,
        'args': list(args),
        'retries': request.retries,
        'root_id': request.root_id,
        'parent_id': request.parent_id,
        'group': request.group,
        'eta': request.eta if request.eta is None else str(request.eta),
        'expires': request.expires if request.expires is None else str(request.expires),
        'priority': delivery_info.get('priority'),
        'queue': delivery_info.get('routing_key'),
        'ran_at': _now_iso(),
    }


@app.task(name='py.fail')
def fail(message='py boom'):
    raise ValueError(message)


@app.task(name='py.retry_then_ok', bind=True, max_retries=5)
def retry_then_ok(self):
    """Retries twice (countdown 0.1 s), then returns how many retries it took."""
    if self.request.retries < 2:
        raise self.retry(countdown=0.1)
    return self.request.retries


@app.task(name='py.on_error')
def on_error(task_id):
    """An old-style errback: gets the failed task's id and records it as its own result."""
    return f'py.on_error recorded {task_id}'


@app.task(name='py.add_replaced', bind=True)
def add_replaced(self, x, y):
    """Replaces itself with py.add (Celery's Task.replace)."""
    raise self.replace(add.s(x, y))


@app.task(name='py.add_to_all', bind=True)
def add_to_all(self, nums, value):
    """Replaces itself with a group of py.add: the workflow goes on with the list of sums."""
    raise self.replace(group(add.s(n, value) for n in nums))


@app.task(name='py.run_signature', bind=True)
def run_signature(self, sig_dict):
    """Rebuilds a signature dict (as Celery's Signature.from_dict does) and replaces itself with it."""
    raise self.replace(signature(sig_dict, app=app))


class ExpectedError(Exception):
    """Raised for celeriac's ts.fail_expected (a TypeScript error standing for this class)."""
