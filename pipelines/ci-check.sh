#!/bin/sh
# ci-check.sh - a data-quality gate for CI: check a data file against a
# rules file with weir-check(1), keep a JUnit report for the CI's test
# view, and on GitHub Actions annotate the failing lines in the pull
# request.  The exit status is weir-check's: 0 pass, 1 a rule failed,
# 2 bad rules, 3 I/O.
#
#   pipelines/ci-check.sh pipelines/checks/orders.yaml data/orders.ndjson
#
# In a GitHub workflow:
#   - run: make && PATH=$PWD/bin:$PATH pipelines/ci-check.sh \
#         pipelines/checks/orders.yaml data/orders.ndjson
#   - uses: actions/upload-artifact@v4
#     if: always()
#     with: { name: data-quality, path: reports/ }
set -u
rules=${1:?usage: ci-check.sh RULES FILE...}
shift
out=${REPORT_DIR:-reports}
mkdir -p "$out" || exit 3

weir-check --validate "$rules" || exit $?
# one pass over the data: JUnit for the CI's test view, the table for the
# job log, and on GitHub Actions annotations on the failing lines
status=0
weir-check --report junit -o "$out/data-quality.xml" \
    --report text -o "$out/data-quality.txt" \
    ${GITHUB_ACTIONS:+--report github} "$rules" "$@" || status=$?
cat "$out/data-quality.txt" 2>/dev/null
exit "$status"
