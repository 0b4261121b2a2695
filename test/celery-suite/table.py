"""Per-case table of several run.sh outputs (pytest -rA summaries), as markdown.

Usage: python3 table.py [--order <test_canvas.py>] <label>=<run.sh output file> [...]
  --order lists the cases in the order test_canvas.py defines them (else: as first reported).
A case counts as passed only if pytest reported it PASSED and none of its subtests failed
(pytest-subtests reports a test whose subtests failed as PASSED plus SUBFAIL lines).
"""
import re
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


def defined_order(path):
    """`class::test` names in the order a test module defines them."""
    order, cls = [], None
    for line in open(path, encoding='utf-8'):
        m = re.match(r'class (test_\w+)', line)
        if m:
            cls = m.group(1)
        m = re.match(r'    def (test_\w+)', line)
        if m and cls:
            order.append(f'{cls}::{m.group(1)}')
    return order


def main(args):
    order = []
    if args[:1] == ['--order']:
        order, args = defined_order(args[1]), args[2:]
    runs = [(label, read(path)) for label, path in (a.split('=', 1) for a in args)]
    reported = list(OrderedDict((c, None) for _, cells in runs for c in cells))
    cases = [c for c in order if c in reported] + [c for c in reported if c not in order]
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
