"""Broker fixtures: what Celery's producer leaves in Redis for each canvas shape, before any
worker runs (`broker_redis_<serializer>_<scenario>.json`). Each scenario starts on an empty DB."""
import base64
import json

from common import DB, SER, VERSIONS, envelope_body, flush_own_db, r, write
from wiretasks import REDIS_URL, app

# (name, description, code run with the tasks in scope; it binds `res`)
SCENARIOS = [
    ('plain', 'plain add.delay(2, 3)', "res = add.delay(2, 3)"),
    ('send_task_by_name', 'app.send_task by name only (what a non-Python producer mimics)',
     "res = app.send_task('wiretasks.add', args=(4, 5), kwargs={})"),
    ('countdown_expires', 'countdown=30 and expires=120 (eta/expires headers, expiration property)',
     "res = add.apply_async((2, 3), countdown=30, expires=120)"),
    ('priority', 'priority=5 -> lands in the priority sub-list celery\\x06\\x163',
     "res = add.apply_async((1, 1), priority=5)"),
    ('custom_queue', "queue='wire_other' (auto-created queue, anon exchange)",
     "res = add.apply_async((1, 1), queue='wire_other')"),
    ('kwargs_and_types', 'kwargs plus nested/unicode/float/None/bool values',
     "res = echo.apply_async((1, 2.5, None, True, [1, 'x']), "
     "{'name': 'h\u00e9llo \u2603', 'nested': {'a': [1, {'b': None}]}})"),
    ('chain3', 'chain of 3: add(1,2) | mul(10) | add(5)',
     "from celery import chain\nres = chain(add.s(1, 2), mul.s(10), add.s(5)).apply_async()"),
    ('chain_immutable', 'chain with an immutable step: add(1,2) | mul.si(3,3) | add(1)',
     "from celery import chain\nres = chain(add.s(1, 2), mul.si(3, 3), add.s(1)).apply_async()"),
    ('group3', 'group of 3 adds',
     "from celery import group\nres = group(add.s(1, 1), add.s(2, 2), add.s(3, 3)).apply_async()"),
    ('chord3', 'chord(header = 3 adds, body = xsum)',
     "from celery import chord\nres = chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)], xsum.s()).apply_async()"),
    ('chain_with_group', 'chain(add(1,1), group(add(10), add(20)), xsum) -> group+task upgraded to chord inside a chain',
     "from celery import chain, group\nres = chain(add.s(1, 1), group(add.s(10), add.s(20)), xsum.s()).apply_async()"),
    ('map', 'xsum.map([[1, 2], [3, 4]]) -> one celery.map message', "res = xsum.map([[1, 2], [3, 4]]).apply_async()"),
    ('starmap', 'add.starmap([(1, 2), (3, 4)]) -> one celery.starmap message',
     "res = add.starmap([(1, 2), (3, 4)]).apply_async()"),
    ('chunks', 'add.chunks([(i, i) for i in range(5)], 2) -> group of 3 celery.starmap messages',
     "res = add.chunks([(i, i) for i in range(5)], 2).apply_async()"),
    ('link_link_error', 'link=[mul.s(3), echo.si("done")], link_error=[on_error_old.s(), on_error_new.s()]',
     "res = add.apply_async((2, 2), link=[mul.s(3), echo.si('done')], "
     "link_error=[on_error_old.s(), on_error_new.s()])"),
]


def _text_or_base64(raw):
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return {'base64': base64.b64encode(raw).decode()}


def snapshot():
    """{key: {type, ttl, value}} for every key of the DB (lists in LRANGE order: index 0 is newest)."""
    keys = {}
    for key in sorted(r.keys('*')):
        kind = r.type(key).decode()
        if kind == 'list':
            value = [item.decode('utf-8') for item in r.lrange(key, 0, -1)]
        elif kind == 'set':
            value = sorted(item.decode('utf-8') for item in r.smembers(key))
        elif kind == 'string':
            value = _text_or_base64(r.get(key))
        elif kind == 'hash':
            value = {field.decode(): item.decode('utf-8', 'replace') for field, item in r.hgetall(key).items()}
        elif kind == 'zset':
            value = [[member.decode('utf-8', 'replace'), score] for member, score in r.zrange(key, 0, -1, withscores=True)]
        else:
            value = None
        keys[key.decode('utf-8')] = {'type': kind, 'ttl': r.ttl(key), 'value': value}
    return keys


def capture(name, description, code):
    flush_own_db()
    scope = {'app': app}
    exec('from wiretasks import *', scope)
    exec(code, scope)
    res = scope['res']
    keys = snapshot()
    messages = []
    for key, entry in keys.items():
        if entry['type'] != 'list':
            continue
        for index, raw in enumerate(entry['value']):
            envelope = json.loads(raw)
            messages.append({'list_key': key, 'lrange_index': index, 'envelope': envelope, 'body_decoded': envelope_body(envelope)})
    write('broker_redis_%s_%s.json' % (SER, name), {
        'description': description,
        'produced_by': VERSIONS,
        'serializer': SER,
        'broker': REDIS_URL,
        'snippet': code,
        'result_repr': repr(res),
        'result_id': getattr(res, 'id', None),
        'redis_keys_after_publish': keys,
        'messages': messages,
    })


def main():
    for scenario in SCENARIOS:
        capture(*scenario)
    flush_own_db()
    print('broker fixtures (%s): %d scenarios on DB %d' % (SER, len(SCENARIOS), DB))


if __name__ == '__main__':
    main()
