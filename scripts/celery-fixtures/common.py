"""What the capture modules share: the Redis DB they own, value decoding, key snapshots, and
writing one fixture file (scrubbed of absolute paths, see scrub.py)."""
import base64
import json
import os

import celery
import kombu
import msgpack
import redis

from scrub import scrub_document
from wiretasks import REDIS_URL, SER

OUT = os.environ.get('WIRE_OUT') or os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out')
r = redis.Redis.from_url(REDIS_URL)
DB = r.connection_pool.connection_kwargs['db']
VERSIONS = 'celery %s / kombu %s / redis-py %s / msgpack %s' % (
    celery.__version__, kombu.__version__, redis.__version__, '.'.join(map(str, msgpack.version)))


def decode_body(raw, content_type, encoding='utf-8'):
    """A message body as Python Celery decodes it; a corrupt msgpack stream is recorded as such."""
    if content_type == 'application/json':
        return json.loads(raw.decode(encoding or 'utf-8'))
    if content_type == 'application/x-msgpack':
        try:
            return msgpack.unpackb(raw, raw=False)
        except msgpack.ExtraData as exc:
            # celery/celery#4710: a group signature reports len() = number of tasks, so msgpack
            # writes a wrong map size. Keep what a streaming decoder reads.
            unpacker = msgpack.Unpacker(raw=False)
            unpacker.feed(raw)
            return {'_decode_error': 'msgpack.ExtraData: %s' % exc, '_stream_objects': list(unpacker)}
    return {'undecoded_base64': base64.b64encode(raw).decode()}


def envelope_body(envelope):
    """The decoded body of a kombu Redis envelope (base64 body)."""
    raw = base64.b64decode(envelope['body']) if envelope['properties'].get('body_encoding') == 'base64' else envelope['body'].encode()
    return decode_body(raw, envelope['content-type'], envelope.get('content-encoding'))


def write(name, doc):
    """Writes `<OUT>/<name>` (indented JSON, ASCII) after scrubbing machine paths from it."""
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), 'w', encoding='utf-8') as handle:
        json.dump(scrub_document(doc), handle, indent=2, ensure_ascii=True)
        handle.write('\n')
    print('wrote', name)


def flush_own_db():
    """FLUSHDB on the capture's own DB only (WIRE_REDIS; DB 9 by default)."""
    assert r.connection_pool.connection_kwargs['db'] == DB
    r.flushdb()


__all__ = ['DB', 'OUT', 'SER', 'VERSIONS', 'decode_body', 'envelope_body', 'flush_own_db', 'r', 'write']
