"""The result-backend scenarios (run by results.py while a worker serves the capture's DB).
Each one runs real canvas code, waits for the states it documents, and saves its snapshot."""
import base64
import json
import time

from celery import chain, chord, group
from kombu.utils.uuid import uuid

from common import decode_body, r
from results_store import save, snap_all, snap_ids, snap_key, wait_ready, wait_status
from wiretasks import add, always_retry, app, fail, fail_custom, flaky, mul, on_error_new, on_error_old, sleepy, xsum


def success():
    res = add.delay(2, 3)
    res.get(timeout=10)
    save('success', 'SUCCESS meta for add(2, 3)', 'res = add.delay(2, 3); res.get(timeout=10)',
         {'task_id': res.id, 'keys': snap_ids([res.id])})


def failure():
    builtin, custom = fail.delay('boom'), fail_custom.delay(42)
    wait_ready([builtin.id, custom.id])
    save('failure', 'FAILURE meta: builtin ValueError and custom wiretasks.WireError(msg, 42)',
         "r1 = fail.delay('boom'); r2 = fail_custom.delay(42)\nwait until both are FAILURE",
         {'task_ids': {'ValueError': builtin.id, 'WireError': custom.id}, 'keys': snap_ids([builtin.id, custom.id])})


def retry():
    res = flaky.delay(7)
    wait_status(res.id, 'RETRY')
    # The re-published retry message (ETA 1 s) is held in kombu's unacked hash once the worker took it.
    deadline = time.time() + 0.9
    while not r.hlen('unacked') and time.time() < deadline:
        time.sleep(0.01)
    during = snap_all()
    wait_ready([res.id])
    final = snap_ids([res.id])
    res2 = always_retry.delay()
    wait_status(res2.id, 'RETRY')
    during2 = snap_ids([res2.id])
    wait_ready([res2.id])
    save('retry', 'RETRY then SUCCESS (flaky) and RETRY then FAILURE (always_retry). '
         '"db_during_first_retry" shows the re-published retry message (same id, retries=1, eta) '
         'sitting in the unacked hash / queue while the worker waits for its ETA.',
         'res = flaky.delay(7)   # retries twice (countdown 1 s) then returns 70\n'
         'snapshot DB when meta status becomes RETRY, then again when SUCCESS\n'
         'res2 = always_retry.delay()  # retries once then fails with KeyError',
         {'task_id': res.id, 'db_during_first_retry': during, 'final': final, 'always_retry_task_id': res2.id,
          'always_retry_during': during2, 'always_retry_final': snap_ids([res2.id])})


def chain3():
    res = chain(add.s(1, 2), mul.s(10), add.s(5)).apply_async()
    res.get(timeout=10)
    ids = [res.parent.parent.id, res.parent.id, res.id]
    save('chain3', 'metas of the 3 chain steps (note parent_id and children)',
         'res = chain(add.s(1, 2), mul.s(10), add.s(5)).apply_async(); res.get(timeout=10)',
         {'step_ids_in_order': ids, 'keys': snap_ids(ids)})


def chain_failure():
    res = chain(add.s(1, 1), fail.s(), mul.s(2)).apply_async()
    ids = [res.parent.parent.id, res.parent.id, res.id]
    wait_ready(ids)
    save('chain_failure', 'a middle chain step fails: the failing step AND every later step id get '
         'the same FAILURE meta (the later steps never run)',
         'res = chain(add.s(1, 1), fail.s(), mul.s(2)).apply_async()  # fail receives 2 -> ValueError(2)',
         {'step_ids_in_order': ids, 'keys': snap_ids(ids)})


def chain_with_group():
    res = chain(add.s(1, 1), group(add.s(10), add.s(20)), xsum.s()).apply_async()
    ids, node = [res.id], res.parent
    while node is not None:
        members = getattr(node, 'results', None)
        ids += [member.id for member in members] if members else [node.id]
        node = node.parent
    try:
        wait_ready(ids, timeout=15)
        outcome = 'completed'
    except TimeoutError:
        outcome = 'timed out (some ids never reached a ready state)'
    save('chain_with_group', 'group followed by a task inside a chain is upgraded to a chord; the '
         "chord rides in the first message's chain embed. With msgpack this message is corrupt "
         '(celery/celery#4710) and the worker cannot decode it.',
         'res = chain(add.s(1, 1), group(add.s(10), add.s(20)), xsum.s()).apply_async()\n'
         'wait (max 15 s) for every id in the result tree',
         {'outcome': outcome, 'ids': ids, 'keys': snap_ids(ids), 'db': snap_all()})


def group3_saved():
    res = group(add.s(1, 1), add.s(2, 2), add.s(3, 3)).apply_async()
    res.save()
    res.get(timeout=10)
    ids = [member.id for member in res.results]
    keys = snap_ids(ids)
    keys['celery-taskset-meta-%s' % res.id] = snap_key('celery-taskset-meta-%s' % res.id)
    save('group3_saved', 'group of 3 + GroupResult.save(): member metas and the taskset meta',
         'res = group(add.s(1, 1), add.s(2, 2), add.s(3, 3)).apply_async(); res.save()\nres.get(timeout=10)',
         {'group_id': res.id, 'member_ids': ids, 'keys': keys})


def chord3():
    res = chord([add.s(1, 1), add.s(2, 2), sleepy.s(3, 100)], xsum.s()).apply_async()
    header = res.parent
    wait_status(header.results[2].id, 'STARTED')
    time.sleep(0.2)
    during = snap_all()
    res.get(timeout=20)
    header_ids = [member.id for member in header.results]
    after = snap_ids(header_ids + [res.id])
    for suffix in ('.j', '.t', '.s', ''):
        key = 'celery-taskset-meta-%s%s' % (header.id, suffix)
        after[key] = snap_key(key)
    save('chord3', 'chord counters mid-flight (.j zset + .s size, STARTED meta, unacked hash) '
         'and final metas (counter keys deleted after the body was sent)',
         'res = chord([add.s(1, 1), add.s(2, 2), sleepy.s(3, 100)], xsum.s()).apply_async()\n'
         'snapshot DB while sleepy (header index 2) is STARTED, then after the body finished',
         {'group_id': header.id, 'header_ids': header_ids, 'body_id': res.id,
          'db_while_last_header_task_running': during, 'after': after})


def chord_header_failure():
    res = chord([add.s(1, 1), fail.s('header boom')], xsum.s()).apply_async()
    header = res.parent
    ids = [member.id for member in header.results] + [res.id]
    wait_ready(ids)
    time.sleep(0.3)
    keys = snap_ids(ids)
    for suffix in ('.j', '.t', '.s'):
        key = 'celery-taskset-meta-%s%s' % (header.id, suffix)
        keys[key] = snap_key(key)
    save('chord_header_failure', 'a header task fails -> body is marked FAILURE with ChordError. '
         'The .j/.s counter keys are NOT deleted on this path (they only expire via TTL).',
         "res = chord([add.s(1, 1), fail.s('header boom')], xsum.s()).apply_async(); wait for body FAILURE",
         {'group_id': header.id, 'body_id': res.id, 'keys': keys})


def link_link_error():
    callback_id, old_id, new_id = uuid(), uuid(), uuid()
    res = add.apply_async((2, 2), link=mul.s(3).set(task_id=callback_id))
    res2 = fail.apply_async(('linked boom',), link_error=[on_error_old.s().set(task_id=old_id), on_error_new.s().set(task_id=new_id)])
    wait_ready([res.id, callback_id, res2.id, old_id])
    time.sleep(0.5)
    save('link_link_error', 'link callback gets the parent result as first arg; old-style errback '
         '(one-arg task) is sent as a new message with the failed task id as first arg; new-style '
         'errback (request, exc, traceback) runs inside the worker and stores NO result '
         '(its task_id key stays absent).',
         'cb = mul.s(3).set(task_id=<uuid>)\nres = add.apply_async((2, 2), link=cb)\n'
         'eb_old = on_error_old.s().set(task_id=<uuid>); eb_new = on_error_new.s().set(task_id=<uuid>)\n'
         "res2 = fail.apply_async(('linked boom',), link_error=[eb_old, eb_new])",
         {'task_id': res.id, 'callback_id': callback_id, 'failing_task_id': res2.id, 'old_errback_id': old_id,
          'new_errback_id': new_id, 'keys': snap_ids([res.id, callback_id, res2.id, old_id, new_id])})


def map_starmap_chunks():
    mapped = xsum.map([[1, 2], [3, 4]]).apply_async()
    starmapped = add.starmap([(1, 2), (3, 4)]).apply_async()
    chunks = add.chunks([(i, i) for i in range(5)], 2).apply_async()
    chunk_ids = [member.id for member in chunks.results]
    ids = [mapped.id, starmapped.id] + chunk_ids
    wait_ready(ids)
    save('map_starmap_chunks', 'results of celery.map / celery.starmap and the chunk group members',
         'm = xsum.map([[1, 2], [3, 4]]).apply_async()\ns = add.starmap([(1, 2), (3, 4)]).apply_async()\n'
         'c = add.chunks([(i, i) for i in range(5)], 2).apply_async()',
         {'map_id': mapped.id, 'starmap_id': starmapped.id, 'chunks_group_id': chunks.id, 'chunk_ids': chunk_ids, 'keys': snap_ids(ids)})


def revoke_and_control():
    res = add.apply_async((1, 1), countdown=2)
    time.sleep(0.3)
    app.control.revoke(res.id)
    wait_ready([res.id], timeout=15)
    pong = app.control.ping(timeout=1)
    # A raw ping with a reply ticket whose reply nobody consumes: the reply list is read as it is.
    with app.connection_for_write() as connection:
        mailbox = app.control.mailbox(connection)
        mailbox._publish('ping', {}, reply_ticket='wirecap-ticket-1', channel=connection.default_channel)
        reply_queue = mailbox.reply_queue.name
        time.sleep(1.0)
        replies = [json.loads(item) for item in r.lrange(reply_queue, 0, -1)]
        for envelope in replies:
            envelope['_body_decoded'] = decode_body(base64.b64decode(envelope['body']), envelope['content-type'])
        bindings = {key.decode(): snap_key(key) for key in r.keys('_kombu.binding.*')}
        r.delete(reply_queue)
    save('revoke_and_control', 'REVOKED meta (task revoked while waiting for ETA), ping reply, '
         'raw pidbox reply envelope and the _kombu.binding.* sets',
         'res = add.apply_async((1, 1), countdown=2); app.control.revoke(res.id)\napp.control.ping(timeout=1)\n'
         'then a raw ping published with a reply ticket; reply list read before anyone consumes it',
         {'revoked_task_id': res.id, 'keys': snap_ids([res.id]), 'ping_result': pong, 'reply_queue_key': reply_queue,
          'reply_list_entries': replies, 'binding_keys': bindings})


ALL = [success, failure, retry, chain3, chain_failure, chain_with_group, group3_saved, chord3,
       chord_header_failure, link_link_error, map_starmap_chunks, revoke_and_control]
EXTENDED_ONLY = [success, failure, link_link_error]
