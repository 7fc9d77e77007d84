#!/usr/bin/env python3
"""norm.py COL... < rows: a query's rows as sorted, tab-separated lines of
the named columns, from NDJSON (weir's output) or a JSON array (sqlite3's
.mode json), so that weir and the SQL oracle can be compared with diff.
Numbers print as integers when whole, else with 3 decimals; a column a
row lacks is an error (the result must have Nexmark's field names)."""
import json
import sys


def fmt(v):
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, (int, float)):
        if float(v) == int(v):
            return str(int(v))
        return "%.3f" % v
    return str(v)


def main():
    cols = sys.argv[1:]
    text = sys.stdin.read()
    if text.lstrip().startswith("["):
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line]
    out = []
    for r in rows:
        missing = [c for c in cols if c not in r]
        if missing:
            sys.exit("norm.py: row without %s: %s" % (missing, r))
        out.append("\t".join(fmt(r[c]) for c in cols))
    out.sort()
    sys.stdout.write("".join(line + "\n" for line in out))


main()
