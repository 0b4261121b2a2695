"""See AMQP messages as py-amqp receives them: the raw content-header frame of each inbound
message, and the field-table type tag RabbitMQ delivered for every application header.

    import amqp_spy
    amqp_spy.install()          # before any basic_get / consume
    ... msg = channel.basic_get(queue) ...
    amqp_spy.header_tags(amqp_spy.RAW_HEADERS[-1])   # {'retries': 'b', 'eta': 'V', ...}

Used by capture.py (the `amqp_rabbitmq_messages.json` fixture) and by
test/integration/amqp-pyamqp.test.ts.
"""
import base64
import struct

import amqp.serialization

# Content-header payloads (after the frame header) of every inbound message, oldest first.
RAW_HEADERS = []

# Size in bytes of each fixed-width AMQP 0-9-1 field value (RabbitMQ's dialect of the table).
_FIXED = {'t': 1, 'b': 1, 'B': 1, 's': 2, 'u': 2, 'U': 2, 'I': 4, 'i': 4, 'L': 8, 'l': 8,
          'f': 4, 'd': 8, 'D': 5, 'T': 8, 'V': 0}
# Property flags before application_headers, in order: content_type, content_encoding (shortstr).
_CONTENT_TYPE, _CONTENT_ENCODING, _HEADERS = 0x8000, 0x4000, 0x2000


def install():
    """Wrap py-amqp's content-header decoder so every inbound payload lands in RAW_HEADERS (once)."""
    content = amqp.serialization.GenericContent
    if getattr(content.inbound_header, '_celeriac_spy', False):
        return
    original = content.inbound_header

    def recording(self, buf, offset=0):
        RAW_HEADERS.append(bytes(buf[offset:]))
        return original(self, buf, offset)

    recording._celeriac_spy = True
    content.inbound_header = recording


def _value_end(payload, at):
    """(offset after the field value starting at `at`, its tag in the fixtures' notation)."""
    tag = chr(payload[at])
    start = at + 1
    if tag in _FIXED:
        return start + _FIXED[tag], tag
    (length,) = struct.unpack_from('>I', payload, start)
    end = start + 4 + length
    if tag != 'A':  # S (long string), x (byte array), F (nested table)
        return end, tag
    inner, cursor = [], start + 4
    while cursor < end:
        cursor, tag_of_item = _value_end(payload, cursor)
        inner.append(tag_of_item[0])
    return end, 'A[%s]' % ','.join(inner)


def header_tags(payload):
    """{header name: type tag} of the application_headers table in a content-header payload."""
    cursor = 12  # class id (2), weight (2), body size (8)
    (flags,) = struct.unpack_from('>H', payload, cursor)
    cursor += 2
    for flag in (_CONTENT_TYPE, _CONTENT_ENCODING):
        if flags & flag:
            cursor += 1 + payload[cursor]
    if not flags & _HEADERS:
        return {}
    (size,) = struct.unpack_from('>I', payload, cursor)
    cursor += 4
    end, tags = cursor + size, {}
    while cursor < end:
        name_length = payload[cursor]
        name = payload[cursor + 1:cursor + 1 + name_length].decode('utf-8')
        cursor, tags[name] = _value_end(payload, cursor + 1 + name_length)
    return tags


def jsonable(value):
    """`value` with bytes as {'base64': ...} and tuples as lists, ready for json.dumps."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {'base64': base64.b64encode(bytes(value)).decode('ascii')}
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value
