"""Director-style tasks for celeriac's workflow interop test, run by a Celery 5.2.6 worker.

Written the way Celery Director users write them: every task takes ``*args, **kwargs``, reads the
run's payload from ``kwargs["payload"]`` and the run id from ``kwargs["workflow_id"]``, and gets its
parents' results as positional arguments (one parent: its value; a group or several parents: a
list, in order).

Environment:
  CELERY_BROKER_URL      broker URL (Redis or RabbitMQ)
  CELERY_RESULT_BACKEND  result backend URL (Redis)
  INTEROP_PY_QUEUE       the queue this worker consumes (and the default queue of this app)
"""
import os

from celery import Celery

PY_QUEUE = os.environ.get('INTEROP_PY_QUEUE', 'celeriac_interop_wf_py')

app = Celery('director_tasks', broker=os.environ.get('CELERY_BROKER_URL'), backend=os.environ.get('CELERY_RESULT_BACKEND'))
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    result_accept_content=['json'],
    task_default_queue=PY_QUEUE,
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    result_expires=600,
)
task = app.task


def _order_id(payload):
    return payload['user'] * 10000 + payload['product']


@task(name='ORDER_PRODUCT')
def order_product(*args, **kwargs):
    payload = kwargs['payload']
    return {'order_id': _order_id(payload), 'workflow_id': kwargs['workflow_id'], 'args': list(args)}


@task(name='SEND_MAIL')
def send_mail(*args, **kwargs):
    order = args[0]
    return f"mail to user {kwargs['payload']['user']} about order {order['order_id']}"


@task(name='SEND_SMS')
def send_sms(*args, **kwargs):
    order = args[0]
    return f"sms to user {kwargs['payload']['user']} about order {order['order_id']}"


@task(name='ARCHIVE')
def archive(*args, **kwargs):
    return {'archived': args[0], 'arity': len(args), 'workflow_id': kwargs['workflow_id']}


@task(name='SHIP')
def ship(*args, **kwargs):
    order = args[0]
    raise ValueError(f"cannot ship order {order['order_id']}: warehouse closed")


@task(name='EXTRACT')
def extract(*args, **kwargs):
    return f"{kwargs['source']}@{kwargs['payload']['day']}"


@task(name='MERGE')
def merge(*args, **kwargs):
    return {'parts': args[0], 'arity': len(args)}


@task(name='TAX')
def tax(*args, **kwargs):
    return args[0] // 5
