"""Director-style Python tasks for examples/workflows/python.yml.

    celery -A director_tasks worker -Q py --broker redis://127.0.0.1:6379/0 --result-backend redis://127.0.0.1:6379/0
"""
import os

from celery import Celery

url = os.environ.get("CELERIAC_EXAMPLE_REDIS", "redis://127.0.0.1:6379/0")
app = Celery("director_tasks", broker=url, backend=url)


@app.task(name="py.ORDER_PRODUCT")
def order_product(*args, **kwargs):
    payload = kwargs["payload"]
    return {"order_id": 1000 + payload["product"], "user": payload["user"]}


@app.task(name="py.SEND_MAIL")
def send_mail(order, **kwargs):
    return f"mail to user {order['user']}: order {order['order_id']} ({kwargs['workflow_id']})"
