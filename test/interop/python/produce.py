"""Python producer for celeriac's interop tests: sends canvases to celeriac workers (ts.* tasks)
and to mixed Python/celeriac workflows, then prints one JSON object with the ids to check.

Usage: produce.py <scenario> [<scenario> ...]   (see SCENARIOS; configured like interop_tasks.py)
Output: {"<scenario>": {...ids...}, ...} on stdout; a scenario that raised gives {"error": "..."}.
"""
import json
import sys
import traceback
import uuid
from datetime import datetime, timedelta, timezone

from celery import chain, chord, group
from celery.canvas import chunks, xmap, xstarmap

from interop_tasks import TS_QUEUE, app

UNICODE_TEXT = 'héllo wörld ✓ 日本語 🎉'


def sig(name, *args, immutable=False, **kwargs):
    """A signature by name: ts.* tasks exist only in celeriac."""
    return app.signature(name, args=args, kwargs=kwargs, immutable=immutable)


def lineage(result):
    """Ids from the first step to `result`, following `.parent` (chains, chords)."""
    ids = []
    while result is not None:
        ids.append(result.id)
        result = result.parent
    return list(reversed(ids))


def echo_kwargs():
    r = sig('ts.echo', UNICODE_TEXT, 1.5, None, {'nested': [1, {'x': 2.25}]}, True,
            unicode='ñandú 日本', float=0.1, none=None, nested={'a': [1, 2, {'b': None}], 'e': {}}).apply_async()
    return {'id': r.id}


def by_name():
    return {'id': app.send_task('ts.add', args=(4, 5)).id}


def countdown_expires():
    not_before = datetime.now(timezone.utc) + timedelta(seconds=1)
    ran = app.send_task('ts.info', args=('eta',), countdown=1, expires=60)
    expired = app.send_task('ts.add', args=(1, 1), countdown=1.5, expires=0.5)
    return {'id': ran.id, 'not_before': not_before.isoformat(), 'expired_id': expired.id}


def priority():
    return {'id': app.send_task('ts.info', args=('prio',), priority=5).id}


def chain3():
    r = chain(sig('ts.add', 1, 2), sig('ts.mul', 4, 5, immutable=True), sig('ts.add', 10)).apply_async()
    return {'id': r.id, 'ids': lineage(r)}


def group3():
    r = group(sig('ts.add', i, i) for i in (1, 2, 3)).apply_async()
    r.save()
    return {'group_id': r.id, 'ids': [c.id for c in r.results]}


def chord3():
    r = chord([sig('ts.add', i, i) for i in (1, 2, 3)], sig('ts.xsum')).apply_async()
    return {'id': r.id, 'group_id': r.parent.id, 'header_ids': [c.id for c in r.parent.results]}


def chain_chord():
    r = chain(sig('ts.add', 1, 1), group(sig('ts.add', 10), sig('ts.add', 20)), sig('ts.xsum')).apply_async()
    ids = lineage(r)
    return {'id': r.id, 'first_id': ids[0]}


def map_starmap_chunks():
    m = xmap(sig('ts.xsum'), [[1, 2], [3, 4]]).apply_async()
    s = xstarmap(sig('ts.add'), [(1, 2), (3, 4)]).apply_async()
    # Celery 5.2.6 drops task_routes for chunks (celery/celery#8904): the starmaps would go to the
    # default queue, i.e. to the Python worker, which does not know ts.add. Route them explicitly.
    c = chunks(sig('ts.add'), [(1, 1), (2, 2), (3, 3)], 2).apply_async(queue=TS_QUEUE)
    c.save()
    return {'map_id': m.id, 'starmap_id': s.id, 'chunks_group_id': c.id, 'chunks_ids': [x.id for x in c.results]}


def link():
    callback_id = str(uuid.uuid4())
    r = sig('ts.add', 2, 3).apply_async(link=sig('ts.echo', 'cb').set(task_id=callback_id))
    return {'id': r.id, 'callback_id': callback_id}


def link_error():
    errback_id = str(uuid.uuid4())
    r = sig('ts.fail', 'ts boom').apply_async(link_error=sig('ts.on_error').set(task_id=errback_id))
    return {'id': r.id, 'errback_id': errback_id}


def retry():
    return {'id': app.send_task('ts.retry_then_ok').id}


def fail():
    return {'id': app.send_task('ts.fail', args=('ts boom ✗',)).id}


def mixed_chain():
    r = chain(sig('py.add', 1, 2), sig('ts.mul', 10), sig('py.add', 5), sig('ts.add', 1)).apply_async()
    return {'id': r.id, 'ids': lineage(r)}


def mixed_errbacks():
    """Errbacks across languages: a Python failure calls a celeriac errback and vice versa."""
    ts_errback, py_errback = str(uuid.uuid4()), str(uuid.uuid4())
    py_failed = sig('py.fail', 'py boom').apply_async(link_error=sig('ts.on_error').set(task_id=ts_errback))
    ts_failed = sig('ts.fail', 'ts boom').apply_async(link_error=sig('py.on_error').set(task_id=py_errback))
    return {'py_failed_id': py_failed.id, 'ts_errback_id': ts_errback, 'ts_failed_id': ts_failed.id, 'py_errback_id': py_errback}


def mixed_chord():
    """Header parts run by both languages count into one chord; the body runs in celeriac."""
    r = chord([sig('py.add', 1, 1), sig('ts.add', 2, 2), sig('py.add', 3, 3)], sig('ts.xsum')).apply_async()
    return {'id': r.id}


def replace_chain():
    """A celeriac task replaces itself inside a Python-built chain: the chain goes on after it."""
    r = chain(sig('py.add', 1, 1), sig('ts.add_replaced', 10), sig('py.add', 100)).apply_async()
    return {'id': r.id, 'ids': lineage(r)}


def replace_chord():
    """Celeriac header parts replaced by a task and by a group still count once each."""
    r = chord([sig('ts.add_replaced', 1, 2), sig('py.add', 3, 4), sig('ts.add_to_all', [1, 2], 10)],
              sig('py.echo')).apply_async()
    return {'id': r.id}


def replace_group_link():
    """A replaced celeriac task keeps its Python callback; a group replacement is joined."""
    callback_id = str(uuid.uuid4())
    r = chain(sig('ts.add_to_all', [1, 2, 3], 10), sig('py.xsum')).apply_async()
    linked = sig('ts.add_replaced', 2, 3).apply_async(link=sig('py.add', 1).set(task_id=callback_id))
    return {'id': r.id, 'linked_id': linked.id, 'callback_id': callback_id}


def chord_on_error():
    """A chord whose header fails: the body's FAILURE holds its errback group (Python walks it)."""
    errback_id = str(uuid.uuid4())
    body = sig('ts.echo')
    body.link_error(sig('ts.on_error').set(task_id=errback_id))
    r = chord([sig('ts.add', 1, 2), sig('ts.fail', 'header boom')], body).apply_async()
    return {'id': r.id, 'errback_id': errback_id}


def chord_group_tail():
    """A header chain ending in a group: Python saves the header group; the body gets [[42, 42]]."""
    inner = chain(sig('ts.identity', 42), group(sig('ts.identity'), sig('ts.identity')))
    r = chord(group(inner), sig('ts.identity')).apply_async()
    return {'id': r.id}


def rebuild_chord_chain():
    """A chord whose header is a chain, made by Python (its dict has a list header), rebuilt and
    run by a celeriac task: Celery takes the chain's steps as the header members."""
    made = chord(chain(sig('ts.add', 1, 1), sig('ts.add', 2, 2)), sig('ts.xsum'))
    r = sig('ts.run_signature', json.loads(json.dumps(made))).apply_async()
    return {'id': r.id}


SCENARIOS = {f.__name__: f for f in (
    chord_on_error, chord_group_tail, rebuild_chord_chain,
    replace_chain, replace_chord, replace_group_link,
    echo_kwargs, by_name, countdown_expires, priority, chain3, group3, chord3, chain_chord,
    map_starmap_chunks, link, link_error, retry, fail, mixed_chain, mixed_errbacks, mixed_chord,
)}


def main(names):
    unknown = [n for n in names if n not in SCENARIOS]
    if not names or unknown:
        sys.stderr.write(f'usage: produce.py <scenario>...; unknown: {unknown}; known: {sorted(SCENARIOS)}\n')
        return 2
    out = {}
    for name in names:
        try:
            out[name] = SCENARIOS[name]()
        except Exception as exc:  # reported per scenario so the other cells still run
            out[name] = {'error': f'{type(exc).__name__}: {exc}', 'traceback': traceback.format_exc()}
    sys.stdout.write(json.dumps(out) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
