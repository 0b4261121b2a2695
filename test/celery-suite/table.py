"""Per-case table of several run.sh outputs (pytest -rA summaries), as markdown.

Usage: python3 table.py [--celery <celery-checkout>] <label>=<run.sh output file> [...]
  --celery lists the cases in the order v5.2.6's test_canvas.py defines them (else: as first reported).
A case counts as passed only if pytest reported it PASSED and none of its subtests failed
(pytest-subtests reports a test whose subtests failed as PASSED plus SUBFAIL lines).
"""
import re
import subprocess
import sys
from collections import Counter, OrderedDict

LINE = re.compile(r'^(PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED|SUBFAIL) t/integration/test_canvas\.py::(\S+)')


def read(path):
    status, subfails = OrderedDict(), Counter()
    for line in open(path, encoding='utf-8', errors='replace'):
        m = LINE.match(line)
        if not m:
            continue
        kind, case = m.groups()
        if kind == 'SUBFAIL':
            subfails[case] += 1
        else:
            status[case] = kind
    cells = OrderedDict()
    for case, kind in status.items():
        if kind == 'PASSED' and subfails[case]:
            cells[case] = f'FAIL ({subfails[case]} subtests)'
        else:
            cells[case] = {'PASSED': 'pass', 'FAILED': 'FAIL', 'XFAIL': 'xfail'}.get(kind, kind)
    return cells


def defined_order(celery_repo):
    """`class::test` names in the order v5.2.6's test_canvas.py defines them."""
    source = subprocess.run(['git', '-C', celery_repo, 'show', 'v5.2.6:t/integration/test_canvas.py'],
                            check=True, capture_output=True, text=True).stdout
    order, cls = [], None
    for line in source.splitlines():
        m = re.match(r'class (test_\w+)', line)
        if m:
            cls = m.group(1)
        m = re.match(r'    def (test_\w+)', line)
        if m and cls:
            order.append(f'{cls}::{m.group(1)}')
    return order


def main(args):
    order = []
    if args[:1] == ['--celery']:
        order, args = defined_order(args[1]), args[2:]
    runs = [(label, read(path)) for label, path in (a.split('=', 1) for a in args)]
    reported = list(OrderedDict((c, None) for _, cells in runs for c in cells))
    rank = {name: i for i, name in enumerate(order)}
    cases = sorted(reported, key=lambda c: rank.get(c.split('[')[0], len(rank)))  # stable: parametrized stay in run order
    print('| case | ' + ' | '.join(label for label, _ in runs) + ' |')
    print('| --- |' + ' --- |' * len(runs))
    for case in cases:
        print(f'| `{case}` | ' + ' | '.join(cells.get(case, '—') for _, cells in runs) + ' |')
    print()
    for label, cells in runs:
        counts = Counter('pass' if v == 'pass' else 'xfail' if v == 'xfail' else 'fail' for v in cells.values())
        print(f'- {label}: {counts["pass"]} passed, {counts["fail"]} failed, {counts["xfail"]} xfailed '
              f'(of {len(cells)} cases; {len(cells) - counts["xfail"]} runnable)')


if __name__ == '__main__':
    main(sys.argv[1:])
