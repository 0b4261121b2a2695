"""The AMQP fixture: Celery publishes four task messages to RabbitMQ queue `wirecap_q`, raw
py-amqp reads them back with basic_get (never acked), recording the properties, the decoded body
and the field-table type tag of every header (`amqp_rabbitmq_messages.json`). Only queue and
exchange `wirecap_q` are created, and they are deleted afterwards."""
import base64
import os
from urllib.parse import unquote, urlsplit

import amqp
import celery
import kombu
from celery import chain

import amqp_spy
from common import decode_body, write
from wiretasks import add, app, mul

QUEUE = 'wirecap_q'
URL = os.environ['WIRE_BROKER']
PUBLISHED = [
    ('json_plain', "add.apply_async((2, 3), queue='wirecap_q')"),
    ('msgpack_plain', "add.apply_async((2, 3), queue='wirecap_q', serializer='msgpack')"),
    ('json_chain2', "chain(add.s(1, 2), mul.s(10)).apply_async(queue='wirecap_q')"),
    ('json_options', "add.apply_async((1, 1), queue='wirecap_q', countdown=30, expires=120, "
                     "priority=3, time_limit=3600, soft_time_limit=3000)"),
]


def connect():
    parts = urlsplit(URL)
    vhost = unquote(parts.path[1:]) or '/'
    connection = amqp.Connection('%s:%d' % (parts.hostname, parts.port or 5672), userid=unquote(parts.username or 'guest'),
                                 password=unquote(parts.password or 'guest'), virtual_host=vhost)
    connection.connect()
    return connection


def public_url():
    parts = urlsplit(URL)
    return '%s://%s@%s:%d%s' % (parts.scheme, unquote(parts.username or 'guest'), parts.hostname, parts.port or 5672, parts.path or '/')


def drop_ours(connection):
    channel = connection.channel()
    deleted = channel.queue_delete(QUEUE)
    channel.exchange_delete(QUEUE)
    channel.close()
    return deleted


def main():
    amqp_spy.install()
    connection = connect()
    drop_ours(connection)  # left over by an interrupted run
    scope = {'add': add, 'mul': mul, 'chain': chain, 'app': app}
    published = [{'name': name, 'snippet': code, 'task_id': eval(code, scope).id} for name, code in PUBLISHED]  # noqa: S307
    queue = app.amqp.queues[QUEUE]
    declared = {'queue': queue.name, 'durable': queue.durable, 'auto_delete': queue.auto_delete,
                'exclusive': queue.exclusive, 'queue_arguments': queue.queue_arguments,
                'exchange': queue.exchange.name, 'exchange_type': queue.exchange.type,
                'exchange_durable': queue.exchange.durable, 'routing_key': queue.routing_key}
    channel = connection.channel()
    messages = []
    for _ in PUBLISHED:
        message = channel.basic_get(QUEUE, no_ack=False)
        if message is None:
            break
        properties = dict(message.properties)
        # py-amqp hands a str body when content_encoding is utf-8, bytes otherwise.
        body = message.body.encode('utf-8') if isinstance(message.body, str) else bytes(message.body)
        is_json = properties.get('content_type') == 'application/json'
        header = amqp_spy.RAW_HEADERS[-1]
        messages.append({
            'properties': amqp_spy.jsonable(properties),
            'python_types_of_application_headers': {k: type(v).__name__ for k, v in properties.get('application_headers', {}).items()},
            'delivery_info': amqp_spy.jsonable(dict(message.delivery_info)),
            'body': {'text': body.decode('utf-8')} if is_json else {'base64': base64.b64encode(body).decode()},
            'body_decoded': decode_body(body, properties.get('content_type')),
            'raw_content_header_payload_hex': header.hex(),
            'application_headers_amqp_type_tags': amqp_spy.header_tags(header),
        })
    channel.close()  # never acked: closing the channel hands them back, deleting the queue drops them
    server = connection.server_properties.get('version', b'?')
    dropped = drop_ours(connection)
    connection.close()
    write('amqp_rabbitmq_messages.json', {
        'description': 'Celery task messages as received from RabbitMQ by a raw py-amqp basic_get '
                       '(no ack). raw_content_header_payload_hex is the AMQP content-header frame '
                       'payload (class-id 60, weight 0, body size u64, property flags, properties).',
        'produced_by': 'celery %s / kombu %s / py-amqp %s / RabbitMQ %s' % (
            celery.__version__, kombu.__version__, amqp.__version__, server.decode() if isinstance(server, bytes) else server),
        'broker': public_url(),
        'published': published,
        'queue_declaration_by_celery': declared,
        'messages_in_queue_order': messages,
        'cleanup': {'queue_deleted': QUEUE, 'messages_dropped_with_queue': dropped, 'exchange_deleted': QUEUE},
    })


if __name__ == '__main__':
    main()
