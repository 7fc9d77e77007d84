# Shared setup for the bats suites.  WEIR_BIN points at the programs under
# test (bin/ or the sanitizer build); every test gets a scratch directory.
: "${WEIR_BIN:=$BATS_TEST_DIRNAME/../../bin}"
export PATH="$WEIR_BIN:$PATH"
export LC_ALL=C
# Every pipeline a test runs directly fails when any of its stages fails.
set -o pipefail

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/weir.XXXXXX")
}

teardown() {
	rm -rf "$T"
}

# ndjson LINES...: write lines to $T/in.ndjson
ndjson() {
	printf '%s\n' "$@" > "$T/in.ndjson"
}

# Run a command with a time limit, so no test can hang the suite.
limit() {
	timeout -k 5 "${LIMIT:-60}" "$@"
}
