"""Reading the result backend's keys for the fixtures: stored values with their decode, key
snapshots, waiting for task states, and writing one results fixture."""
import base64
import json
import os
import time

import msgpack

from common import SER, VERSIONS, decode_body, r, write
from wiretasks import REDIS_URL

EXTENDED = os.environ.get('WIRE_EXTENDED') == '1'
TAG = SER + ('_extended' if EXTENDED else '')
READY = ('SUCCESS', 'FAILURE', 'REVOKED')


def stored(raw):
    """A raw stored string: {raw_base64, decoded} under msgpack (digit counters excepted), else {raw, decoded}."""
    if raw is None:
        return None
    if SER == 'msgpack' and not raw.isdigit():
        try:
            decoded = msgpack.unpackb(raw, raw=False)
        except Exception as exc:  # noqa: BLE001 - not msgpack (a delivery tag, a JSON notification)
            decoded = {'_decode_error': repr(exc)}
        return {'raw_base64': base64.b64encode(raw).decode(), 'decoded': decoded}
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = None
    try:
        decoded = json.loads(text)
    except Exception:  # noqa: BLE001 - not JSON (e.g. a kombu tag)
        decoded = None
    return {'raw': text, 'decoded': decoded}


def snap_key(key):
    kind = r.type(key).decode()
    if kind == 'none':
        return {'type': 'none'}
    entry = {'type': kind, 'ttl': r.ttl(key)}
    if kind == 'string':
        entry['value'] = stored(r.get(key))
    elif kind == 'list':
        entry['value'] = [json.loads(item) for item in r.lrange(key, 0, -1)]
    elif kind == 'set':
        entry['value'] = sorted(item.decode('utf-8', 'replace') for item in r.smembers(key))
    elif kind == 'hash':
        value = {}
        for field, item in r.hgetall(key).items():
            try:
                value[field.decode()] = json.loads(item)
            except ValueError:
                value[field.decode()] = item.decode('utf-8', 'replace')
        entry['value'] = value
    elif kind == 'zset':
        entry['value'] = [{'member': stored(member), 'score': score} for member, score in r.zrange(key, 0, -1, withscores=True)]
    else:
        del entry['ttl']
    return entry


def snap_all():
    return {key.decode('utf-8', 'replace'): snap_key(key) for key in sorted(r.keys('*'))}


def meta_key(task_id):
    return 'celery-task-meta-%s' % task_id


def snap_ids(ids):
    return {meta_key(task_id): snap_key(meta_key(task_id)) for task_id in ids}


def status_of(task_id):
    raw = r.get(meta_key(task_id))
    return None if raw is None else decode_body(raw, 'application/x-msgpack' if SER == 'msgpack' else 'application/json')['status']


def wait_ready(ids, timeout=30):
    deadline = time.time() + timeout
    while any(status_of(task_id) not in READY for task_id in ids):
        if time.time() > deadline:
            raise TimeoutError(ids)
        time.sleep(0.05)


def wait_status(task_id, status, timeout=30):
    deadline = time.time() + timeout
    while status_of(task_id) != status:
        if time.time() > deadline:
            raise TimeoutError((task_id, status))
        time.sleep(0.01)


def save(name, description, snippet, data):
    doc = {'description': description, 'produced_by': VERSIONS, 'serializer': SER, 'result_extended': EXTENDED,
           'backend': REDIS_URL, 'worker': 'celery -A wiretasks worker --pool=solo -E (Celery %s)' % VERSIONS.split()[1],
           'snippet': snippet}
    doc.update(data)
    write('results_redis_%s_%s.json' % (TAG, name), doc)
