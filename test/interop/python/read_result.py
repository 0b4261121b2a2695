"""Python result reader for celeriac's interop tests: reads results with Celery's own AsyncResult
and GroupResult (whoever ran the tasks) and prints what Python sees.

Usage: read_result.py '<json queries>'   (configured like interop_tasks.py)
  queries: [{"id": "<task or group id>", "kind": "task" | "group", "timeout": <seconds>}, ...]
Output: a JSON list, one record per query:
  task:  {"id", "state", "value" | "error": {"type", "module", "args"}, "parent_id", "group_id",
          "children": [<child>], "timed_out"}
  group: {"id", "found", "ids", "values" (errors as {"__error__": {...}}), "timed_out"}
  A child is a task id, or {"group": <id>, "ids": [...]} for a group child.
"""
import json
import sys

from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import GroupResult

from interop_tasks import app


def error_record(exc):
    return {'type': type(exc).__name__, 'module': type(exc).__module__, 'args': list(exc.args)}


def plain(value):
    if isinstance(value, BaseException):
        return {'__error__': error_record(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def child_record(child):
    if isinstance(child, GroupResult):
        return {'group': child.id, 'ids': [c.id for c in child.results]}
    return child.id


def read_task(task_id, timeout):
    result = app.AsyncResult(task_id)
    record = {'id': task_id, 'timed_out': False}
    try:
        value = result.get(timeout=timeout, propagate=False, disable_sync_subtasks=False)
    except CeleryTimeout:
        record['timed_out'] = True
        value = None
    meta = app.backend.get_task_meta(task_id)
    record['state'] = meta.get('status')
    if isinstance(value, BaseException):
        record['error'] = error_record(value)
    else:
        record['value'] = plain(value)
    record['parent_id'] = meta.get('parent_id')
    record['group_id'] = meta.get('group_id')
    record['children'] = [child_record(c) for c in (result.children or [])]
    return record


def read_group(group_id, timeout):
    restored = GroupResult.restore(group_id, app=app)
    if restored is None:
        return {'id': group_id, 'found': False}
    record = {'id': group_id, 'found': True, 'ids': [r.id for r in restored.results], 'timed_out': False}
    try:
        record['values'] = plain(restored.join(timeout=timeout, propagate=False, disable_sync_subtasks=False))
    except CeleryTimeout:
        record['timed_out'] = True
    return record


def main(argv):
    if len(argv) != 1:
        sys.stderr.write("usage: read_result.py '[{\"id\": ..., \"kind\": \"task\"|\"group\", \"timeout\": s}]'\n")
        return 2
    out = []
    for query in json.loads(argv[0]):
        timeout = float(query.get('timeout', 20))
        reader = read_group if query.get('kind') == 'group' else read_task
        try:
            out.append(reader(query['id'], timeout))
        except Exception as exc:  # one bad query must not hide the others
            out.append({'id': query.get('id'), 'reader_error': f'{type(exc).__name__}: {exc}'})
    sys.stdout.write(json.dumps(out, default=repr) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
