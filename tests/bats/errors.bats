#!/usr/bin/env bats
# One error convention: every program that keeps state per record or per
# group, run out of memory (ulimit -v) on many keys, says "out of memory"
# once and exits 3 (weir(7), EXIT STATUS).
load helpers

# Generated once: a million records with a million distinct keys, as text
# and as frames with event times and watermarks.
setup_file() {
	[ -n "${ASAN_OPTIONS:-}" ] && return 0
	D="$BATS_FILE_TMPDIR"
	awk 'BEGIN { for (i = 0; i < 1000000; i++)
	    printf "{\"k\":\"key-%d-padding-padding\",\"x\":%d,\"ts\":%d}\n",
	    i, i, 1700000000000 + i }' > "$D/in.ndjson"
	"$WEIR_BIN/weir-source" --time .ts --max-delay 1h < "$D/in.ndjson" \
	    > "$D/in.frames"
}

# oom INPUT CMD...: run CMD on INPUT with 32 MB more address space than it
# needs on empty input (INPUT in its arguments too read as /dev/null), so
# the per-key state is what runs out.
oom() {
	local in=$1 v=8192 a empty=()
	shift
	for a in "$@"; do
		[ "$a" = "$in" ] && a=/dev/null
		empty+=("$a")
	done
	while [ $v -lt 1048576 ]; do
		(ulimit -v $v; "${empty[@]}" < /dev/null > /dev/null 2>&1) && break
		v=$((v + 4096))
	done
	v=$((v + 32768))
	run bash -c 'ulimit -v "$1"; shift; "$@" > /dev/null' oom "$v" "$@" \
	    < "$in"
}

# expect_oom: exit 3 and one line, the out of memory message
expect_oom() {
	[ "$status" -eq 3 ] || { echo "status $status: $output"; false; }
	[ "${#lines[@]}" -eq 1 ] || { echo "$output"; false; }
	[[ "${lines[0]}" == *"out of memory"* ]] || { echo "$output"; false; }
}

skip_asan() {
	# the sanitizers reserve terabytes of address space: no ulimit -v
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		skip "AddressSanitizer build"
	fi
}

@test "weir-agg: many groups, out of memory: exit 3" {
	skip_asan
	oom "$BATS_FILE_TMPDIR/in.ndjson" weir-agg -g .k count
	expect_oom
	oom "$BATS_FILE_TMPDIR/in.ndjson" weir-agg -g .k distinct:.x p99:.x
	expect_oom
}

@test "weir-check: a unique set out of memory: exit 3" {
	skip_asan
	oom "$BATS_FILE_TMPDIR/in.ndjson" weir-check --unique .k
	expect_oom
}

@test "weir-join: a big table or a big interval buffer, out of memory: exit 3" {
	skip_asan
	oom "$BATS_FILE_TMPDIR/in.ndjson" \
	    weir-join --table "$BATS_FILE_TMPDIR/in.ndjson" -o .k \
	    --prefix r_
	expect_oom
	oom "$BATS_FILE_TMPDIR/in.frames" \
	    weir-join --right "$BATS_FILE_TMPDIR/in.frames" --within 1h \
	    -o .k --prefix r_
	expect_oom
}

@test "weir-window: many sessions, out of memory: exit 3" {
	skip_asan
	oom "$BATS_FILE_TMPDIR/in.frames" weir-window session 1h -g .k
	expect_oom
}

@test "a listen address that is not HOST:PORT is a usage error (exit 2)" {
	local long
	long=$(printf 'h%.0s' $(seq 300))
	run weir-sink -f dashboard --listen "$long:80" < /dev/null
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"bad address"* ]]
	run weir-sink -f dashboard --listen "127.0.0.1:http" < /dev/null
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"bad port"* ]]
}

# oom_steps INPUT CMD...: run CMD on INPUT (WEIR_MAX_RECORD=64M) with 16 to
# 88 MB more address space than it needs on empty input, so memory runs
# out in turn while reading, packing and writing one big record: every
# run either succeeds or says "out of memory" once and exits 3.
oom_steps() {
	local in=$1 v=8192 h
	shift
	while [ $v -lt 1048576 ]; do
		(ulimit -v $v; WEIR_MAX_RECORD=64M "$@" < /dev/null \
		    > /dev/null 2>&1) && break
		v=$((v + 4096))
	done
	for h in 16 24 32 40 48 56 64 72 80 88; do
		run bash -c 'ulimit -v "$1"; shift; "$@" > /dev/null' oom \
		    $((v + h * 1024)) env WEIR_MAX_RECORD=64M "$@" < "$in"
		[ "$status" -eq 0 ] && continue
		echo "+$h MB:"
		expect_oom
	done
}

@test "one big NDJSON record, out of memory reading, packing or writing it: exit 3" {
	skip_asan
	awk 'BEGIN { s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    while (length(s) < 20000000) s = s s
	    s = substr(s, 1, 20000000)
	    printf "{\"s\":\"%s\"}\n", s }' > "$T/big.ndjson"
	oom_steps "$T/big.ndjson" weir-filter true
	oom_steps "$T/big.ndjson" weir-sink -f ndjson
}

@test "weir-sink --all-fields: too many records held, out of memory: exit 3" {
	skip_asan
	oom "$BATS_FILE_TMPDIR/in.ndjson" weir-sink -f csv --all-fields
	expect_oom
}
