"""Result-backend fixtures: a real Celery worker (pool solo, events on) runs each scenario on the
capture's Redis DB, and the stored keys are snapshotted (`results_redis_<ser>[_extended]_<name>.json`),
plus a sample of everything PUBLISHed meanwhile (`..._pubsub_sample.json`).

`python3 results.py extended` (with WIRE_EXTENDED=1) runs only success, failure and link_link_error."""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from common import DB, decode_body, flush_own_db, r
from results_scenarios import ALL, EXTENDED_ONLY
from results_store import save, stored

HERE = os.path.dirname(os.path.abspath(__file__))


class Published:
    """Records every PUBLISH on the result channels and on this DB's kombu channels."""

    def __init__(self):
        self.messages, self._stop = [], threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def _listen(self):
        pubsub = r.pubsub()
        pubsub.psubscribe('celery-task-meta-*', 'celery-taskset-meta-*', '/%d.*' % DB)
        while not self._stop.is_set():
            message = pubsub.get_message(timeout=0.2)
            if message and message['type'] == 'pmessage':
                channel = message['channel']
                self.messages.append({'pattern': message['pattern'].decode(), 'channel': channel.decode('utf-8', 'replace'),
                                      'data': stored(message['data']) if channel.startswith(b'celery-') else json.loads(message['data'])})
        pubsub.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self, per_family=3):
        """The first `per_family` messages of each channel family, and the count per family."""
        counts, sample = {}, []
        for message in self.messages:
            channel = message['channel']
            family = channel.split('-meta-')[0] if channel.startswith('celery-') else channel
            counts[family] = counts.get(family, 0) + 1
            if counts[family] <= per_family:
                data = message['data']
                if isinstance(data, dict) and 'body' in data and 'properties' in data:
                    message['_body_decoded'] = decode_body(base64.b64decode(data['body']), data['content-type'])
                sample.append(message)
        return counts, sample


def start_worker(log):
    command = [sys.executable, '-m', 'celery', '-A', 'wiretasks', 'worker', '--pool=solo', '-l', 'info', '-E',
               '-n', 'wirecap@%h', '--without-gossip', '--without-mingle', '--without-heartbeat']
    worker = subprocess.Popen(command, cwd=HERE, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONDONTWRITEBYTECODE='1'))
    deadline = time.time() + 30
    while 'ready.' not in open(log.name, encoding='utf-8', errors='replace').read():
        if time.time() > deadline or worker.poll() is not None:
            worker.kill()
            raise RuntimeError('the Celery worker did not start:\n' + open(log.name, encoding='utf-8', errors='replace').read())
        time.sleep(0.2)
    return worker


def stop_worker(worker):
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def main():
    scenarios = EXTENDED_ONLY if sys.argv[1:] == ['extended'] else ALL
    flush_own_db()
    with tempfile.NamedTemporaryFile('w', prefix='wirecap-worker-', suffix='.log') as log, Published() as published:
        worker = start_worker(log)
        try:
            for scenario in scenarios:
                scenario()
            time.sleep(1.0)
        finally:
            stop_worker(worker)
    counts, sample = published.sample()
    save('pubsub_sample', 'sample of PUBLISHed messages seen on DB-%d related channels during the run: '
         'result-backend notifications (channel = meta key), task events (/%d.celeryev/<routing key>) '
         'and pidbox broadcasts (/%d.celery.pidbox)' % (DB, DB, DB),
         'psubscribe celery-task-meta-* celery-taskset-meta-* /%d.*' % DB,
         {'counts_per_channel_family': counts, 'messages': sample})
    flush_own_db()


if __name__ == '__main__':
    main()
