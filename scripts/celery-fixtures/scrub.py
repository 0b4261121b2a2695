"""Make a captured fixture document free of this machine's absolute file paths.

Celery stores a traceback with every FAILURE meta (and task-failed events carry one too). Its
frames name absolute paths (`<prefix>/dist-packages/celery/app/trace.py`, the capture
script's own directory), which must not end up in the repository. Every such path is rewritten:
a file under a `dist-packages`/`site-packages` directory keeps its package-relative path
(`celery/app/trace.py`), any other `.py` file keeps its base name (`wiretasks.py`).

The rewrite is applied everywhere a path can hide, keeping each fixture self-consistent:
- plain strings (decoded values, JSON raw text);
- `{raw_base64, decoded}` msgpack values: unpacked, rewritten, packed again the way kombu packs
  (`msgpack.packb(value, use_bin_type=True)`; the round trip is checked to be byte-exact first);
- kombu envelopes whose `body` is base64 (JSON or msgpack body), e.g. task events.

Run on files:  python3 scrub.py FILE.json [...]   (rewrites them in place)
"""
import base64
import json
import re
import sys

import msgpack

_SITE = re.compile(r'(?<![\w.+-])(?:/[\w.+-]+)*/(?:dist-packages|site-packages)/')
_OTHER = re.compile(r'(?<![\w.+-])(?:/[\w.+-]+)+/(?=[\w.+-]+\.py\b)')
_ANY = re.compile(r'(?<![\w.+-])/(?:[\w.+-]+/)+[\w.+-]+\.py\b')


def scrub_text(text):
    """`text` with every absolute `.py` path made relative (see the module doc)."""
    return _OTHER.sub('', _SITE.sub('', text))


def has_path(text):
    """Whether `text` still names an absolute `.py` path."""
    return _ANY.search(text) is not None


def _pack(value):
    return msgpack.packb(value, use_bin_type=True)


def _scrub_msgpack(raw):
    if not has_path(raw.decode('utf-8', 'replace')):
        return raw
    value = msgpack.unpackb(raw, raw=False)
    if _pack(value) != raw:
        raise ValueError('msgpack value does not round-trip byte-exactly; refusing to rewrite it')
    return _pack(scrub_value(value))


def _scrub_body(envelope):
    raw = base64.b64decode(envelope['body'])
    if envelope.get('content-type') == 'application/x-msgpack':
        new = _scrub_msgpack(raw)
    else:
        new = scrub_text(raw.decode(envelope.get('content-encoding') or 'utf-8')).encode('utf-8')
    envelope['body'] = base64.b64encode(new).decode('ascii')


def scrub_value(node):
    """A deep copy of `node` (decoded JSON/msgpack data) with its strings rewritten."""
    if isinstance(node, str):
        return scrub_text(node)
    if isinstance(node, list):
        return [scrub_value(item) for item in node]
    if isinstance(node, tuple):
        return tuple(scrub_value(item) for item in node)
    if isinstance(node, dict):
        return {scrub_value(key): scrub_value(item) for key, item in node.items()}
    return node


def scrub_document(node):
    """A fixture document (as written to disk) with every absolute path rewritten."""
    if isinstance(node, list):
        return [scrub_document(item) for item in node]
    if isinstance(node, str):
        return scrub_text(node)
    if not isinstance(node, dict):
        return node
    out = {key: scrub_document(item) for key, item in node.items()}
    if isinstance(node.get('raw_base64'), str):
        out['raw_base64'] = base64.b64encode(_scrub_msgpack(base64.b64decode(node['raw_base64']))).decode('ascii')
    properties = node.get('properties')
    if isinstance(node.get('body'), str) and isinstance(properties, dict) and properties.get('body_encoding') == 'base64':
        _scrub_body(out)
    return out


def main(files):
    for name in files:
        with open(name, encoding='utf-8') as handle:
            doc = json.load(handle)
        with open(name, 'w', encoding='utf-8') as handle:
            json.dump(scrub_document(doc), handle, indent=2, ensure_ascii=True)
            handle.write('\n')


if __name__ == '__main__':
    main(sys.argv[1:])
