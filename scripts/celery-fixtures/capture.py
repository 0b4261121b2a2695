"""Re-captures the Celery wire fixtures of the tests (test/fixtures/celery-5.2.6/) from the
installed Python Celery (Debian's python3-celery 5.2.6 with kombu, py-amqp, redis-py, msgpack).

    python3 scripts/celery-fixtures/capture.py [--out DIR] [--redis URL] [--amqp URL] [PART ...]

PART is any of broker, results, amqp (default: all three). `npm run fixtures:capture` runs this
with the interpreter that has Celery. Needs Redis and RabbitMQ; FLUSHes only the Redis DB of
--redis (default DB 9 of CELERIAC_TEST_REDIS_HOST:CELERIAC_TEST_REDIS_PORT, else 127.0.0.1:6379),
so do not run it while the test suite runs (the failure tests use DB 9 too). On RabbitMQ it
creates and deletes only queue/exchange `wirecap_q`.

Ids, timestamps, hostnames and pids differ on every run; tracebacks name package-relative paths
(scrub.py). Compare a new capture with `git diff --stat` and run `npm test` on it.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'test', 'fixtures', 'celery-5.2.6'))
DEFAULT_REDIS = 'redis://%s:%s/9' % (os.environ.get('CELERIAC_TEST_REDIS_HOST', '127.0.0.1'), os.environ.get('CELERIAC_TEST_REDIS_PORT', '6379'))
DEFAULT_AMQP = os.environ.get('CELERIAC_TEST_AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672//')

# (part, module, extra environment, arguments): one Python process each, as the serializer is
# fixed when wiretasks is imported.
RUNS = [
    ('broker', 'broker.py', {'WIRE_SER': 'json'}, []),
    ('broker', 'broker.py', {'WIRE_SER': 'msgpack'}, []),
    ('results', 'results.py', {'WIRE_SER': 'json'}, []),
    ('results', 'results.py', {'WIRE_SER': 'msgpack'}, []),
    ('results', 'results.py', {'WIRE_SER': 'json', 'WIRE_EXTENDED': '1'}, ['extended']),
    ('amqp', 'amqp_capture.py', {'WIRE_SER': 'json'}, []),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('parts', nargs='*', choices=['broker', 'results', 'amqp'], metavar='PART')
    parser.add_argument('--out', default=DEFAULT_OUT, help='fixtures folder (default: test/fixtures/celery-5.2.6)')
    parser.add_argument('--redis', default=DEFAULT_REDIS, help='Redis URL with the DB the capture owns (default %(default)s)')
    parser.add_argument('--amqp', default=DEFAULT_AMQP, help='RabbitMQ URL (default: CELERIAC_TEST_AMQP_URL or guest@127.0.0.1:5672)')
    options = parser.parse_args()
    parts = options.parts or ['broker', 'results', 'amqp']
    for part, module, extra, args in RUNS:
        if part not in parts:
            continue
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', WIRE_OUT=os.path.abspath(options.out), WIRE_REDIS=options.redis, **extra)
        if part == 'amqp':
            env['WIRE_BROKER'] = options.amqp
        print('== %s %s' % (module, ' '.join('%s=%s' % item for item in extra.items())), flush=True)
        subprocess.run([sys.executable, module] + args, cwd=HERE, env=env, check=True)


if __name__ == '__main__':
    main()
