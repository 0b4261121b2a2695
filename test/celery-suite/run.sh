#!/usr/bin/env bash
# Run Celery 5.2.6's own canvas integration tests (t/integration/test_canvas.py, a Python client)
# against a celeriac worker serving the same task names (test/celery-suite/celery-tasks.ts).
# Celery's files are read from a Celery checkout at tag v5.2.6 and copied to a temporary
# directory; nothing of Celery's is kept in this repository.
#
# Usage: test/celery-suite/run.sh <celery-checkout> <redis-port> [broker-url] [pytest args...]
#   broker-url defaults to Redis DB 0 on <redis-port> (use a private redis-server: DB 0 is flushed);
#   e.g. amqp://guest:guest@127.0.0.1:5672/<vhost> for RabbitMQ. Results always go to that Redis.
# Needs: python3-celery python3-redis python3-pytest python3-pytest-subtests python3-pytest-rerunfailures
set -euo pipefail
celery_repo=$1 port=$2
broker=${3:-redis://127.0.0.1:$port/0}
shift $(( $# >= 3 ? 3 : $# ))
backend=redis://127.0.0.1:$port/0
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
mkdir -p "$work/t/integration" && touch "$work/t/__init__.py" "$work/t/integration/__init__.py"
for f in conftest.py tasks.py test_canvas.py; do git -C "$celery_repo" show "v5.2.6:t/integration/$f" > "$work/t/integration/$f"; done
# The worker is celeriac's, started here: the `manager` fixture must not start a Python one; the
# tests' Redis helper must reach our port.
python3 - "$work/t/integration/conftest.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("def manager(app, celery_session_worker):", "def manager(app):")
s = s.replace("StrictRedis(host=os.environ.get('REDIS_HOST'))", "StrictRedis(host=os.environ.get('REDIS_HOST'), port=int(os.environ['REDIS_PORT']))")
open(p, 'w').write(s)
PY
redis-cli -p "$port" -n 0 flushdb >/dev/null
(cd "$repo" && CELERY_TASKS_REDIS="$backend" exec node --import tsx test/celery-suite/celery-tasks.ts "$broker" "$backend") > "$work/worker.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
sleep 5
cd "$work"
TEST_BROKER=$broker TEST_BACKEND=$backend REDIS_HOST=127.0.0.1 REDIS_PORT=$port \
  python3 -m pytest -p celery.contrib.pytest -p no:flaky -p no:cacheprovider -o python_classes='test_*' -q -rA t/integration/test_canvas.py "$@"
