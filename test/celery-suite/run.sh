#!/usr/bin/env bash
# Run Celery 5.2.6's own canvas integration tests (t/integration/test_canvas.py, a Python client)
# against a celeriac worker serving the same task names (test/celery-suite/celery-tasks.ts), or,
# with --python-worker, against a Celery 5.2.6 Python worker on exactly the same setup (the
# baseline). Celery's files are read from a Celery checkout at tag v5.2.6 and copied to a temporary
# directory; nothing of Celery's is kept in this repository.
#
# Usage: test/celery-suite/run.sh [--python-worker] <celery-checkout> <redis-port> [broker-url] [pytest args...]
#   broker-url defaults to Redis DB 0 on <redis-port> (use a private redis-server: DB 0 is flushed);
#   e.g. amqp://guest:guest@127.0.0.1:5672/<vhost> for RabbitMQ. Results always go to that Redis.
#   The worker (either kind) is started here, as its own process, consuming the `celery` queue with
#   16 concurrent slots (the Python one with the prefork pool); the tests' `manager` fixture is made
#   not to start Celery's in-process test worker. Its log is kept as worker.log in the temp directory
#   (printed at the end).
# Env: CELERY_SUITE_PYTHON picks the interpreter (default: the first of python3, /usr/bin/python3
#   that imports celery).
# Needs: python3-celery python3-redis python3-amqp python3-pytest python3-pytest-subtests
#   python3-pytest-rerunfailures python3-pytest-timeout
set -euo pipefail
worker_kind=celeriac
if [[ ${1:-} == --python-worker ]]; then worker_kind=python; shift; fi
celery_repo=$1 port=$2
broker=${3:-redis://127.0.0.1:$port/0}
shift $(( $# >= 3 ? 3 : $# ))
backend=redis://127.0.0.1:$port/0
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=${CELERY_SUITE_PYTHON:-}
if [[ -z $py ]]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import celery' 2>/dev/null; then py=$candidate; break; fi
  done
fi
[[ -n $py ]] || { echo "no python3 with celery: apt-get install python3-celery python3-redis python3-amqp" >&2; exit 2; }
work=$(mktemp -d)
mkdir -p "$work/t/integration" && touch "$work/t/__init__.py" "$work/t/integration/__init__.py"
for f in conftest.py tasks.py test_canvas.py; do git -C "$celery_repo" show "v5.2.6:t/integration/$f" > "$work/t/integration/$f"; done
# The worker is started here: the `manager` fixture must not start a Python one in-process; the
# tests' Redis helper must reach our port.
"$py" - "$work/t/integration/conftest.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("def manager(app, celery_session_worker):", "def manager(app):")
s = s.replace("StrictRedis(host=os.environ.get('REDIS_HOST'))", "StrictRedis(host=os.environ.get('REDIS_HOST'), port=int(os.environ['REDIS_PORT']))")
open(p, 'w').write(s)
PY
redis-cli -p "$port" -n 0 flushdb >/dev/null
export TEST_BROKER=$broker TEST_BACKEND=$backend REDIS_HOST=127.0.0.1 REDIS_PORT=$port
if [[ $worker_kind == python ]]; then
  # The Python worker's app: the same broker/backend as the tests' client, the tasks of tasks.py.
  cat > "$work/suite_worker_app.py" <<'PY'
import os
from celery import Celery
app = Celery('celery_suite', broker=os.environ['TEST_BROKER'], backend=os.environ['TEST_BACKEND'],
             include=['t.integration.tasks'])
PY
  (cd "$work" && exec "$py" -m celery -A suite_worker_app worker -P prefork -c 16 -Q celery -l info --without-gossip --without-mingle) > "$work/worker.log" 2>&1 &
else
  (cd "$repo" && CELERY_TASKS_REDIS="$backend" exec node --import tsx test/celery-suite/celery-tasks.ts "$broker" "$backend") > "$work/worker.log" 2>&1 &
fi
worker=$!
stop_worker() {
  kill -TERM "$worker" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  kill -QUIT "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
  echo "worker log: $work/worker.log"
}
trap stop_worker EXIT
if [[ $worker_kind == python ]]; then
  for _ in $(seq 1 60); do grep -q ' ready\.' "$work/worker.log" && break; sleep 0.5; done
else
  sleep 5
fi
cd "$work"
"$py" -m pytest -p celery.contrib.pytest -p no:flaky -p no:cacheprovider -o python_classes='test_*' -q -rA t/integration/test_canvas.py "$@"
