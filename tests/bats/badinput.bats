#!/usr/bin/env bats
# Bad input, for every program that reads a stream: a clear message naming
# the program and the position, a documented status, never a crash or hang.
# Programs not built yet are skipped by name.

load helpers

# program and the arguments that make it a plain stream stage
stages() {
	cat <<'S'
weir-sink
weir-sink -f csv
weir-source
weir-window tumbling 1m
weir-agg count
weir-filter true
weir-map x=1
S
}

# run_all NAME INPUTFILE WANT_STATUS WANT_TEXT
run_all() {
	local input=$1 want=$2 text=$3 n=0
	while read -r prog args; do
		command -v "$prog" >/dev/null || continue
		n=$((n + 1))
		run limit bash -o pipefail -c "$prog $args < '$input' > /dev/null"
		if [ "$status" -ne "$want" ] || [[ "$output" != *"$prog: "*"$text"* ]]; then
			echo "$prog $args: status $status, output: $output" >&3
			return 1
		fi
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done < <(stages)
	[ "$n" -ge 2 ]
}

frames() {
	# a frame stream of N clicks without its END
	weir-source --gen clicks -c "$1" | weir-sink -f framed > "$T/full.wf"
	head -c -2 "$T/full.wf"
}

@test "garbage bytes (not a frame stream): data error at line 1" {
	head -c 3000 /dev/urandom | tr -d '\n{[' > "$T/in"
	run_all "$T/in" 1 "stdin:1: invalid JSON"
}

@test "garbage after a frame header: corrupt frame, status 3" {
	{ printf '\211WEIR\n\001\000'; head -c 3000 /dev/urandom; } > "$T/in"
	run_all "$T/in" 3 "stdin: "
}

@test "truncated frame: upstream ended in the middle of a frame" {
	frames 10 > "$T/x"
	head -c -7 "$T/x" > "$T/in"
	run_all "$T/in" 3 "truncated frame"
}

@test "a frame whose length is absurd is refused before allocating" {
	printf '\211WEIR\n\001\000\001\377\377\377\377\017' > "$T/in"
	run_all "$T/in" 3 "exceeds the limit"
}

@test "EOF without END: upstream ended early" {
	frames 10 > "$T/in"
	run_all "$T/in" 3 "upstream ended without END"
}

@test "unsupported frame version" {
	printf '\211WEIR\n\002\000' > "$T/in"
	run_all "$T/in" 3 "version 2 is not supported"
}

@test "invalid UTF-8 in JSON text" {
	printf '{"a":"\377"}\n' > "$T/in"
	run_all "$T/in" 1 "stdin:1: invalid JSON at column 7: invalid UTF-8"
}

@test "JSON nested 100,000 deep" {
	python3 -c 'print("[" * 100000 + "]" * 100000)' > "$T/in"
	run_all "$T/in" 1 "nesting deeper than 1024 levels"
}

@test "a 50 MB line" {
	python3 -c 'print("{\"a\":\"" + "x" * 50000000 + "\"}")' > "$T/in"
	run_all "$T/in" 1 "line longer than the record limit"
}

@test "a 50 MB line is skipped with --on-error skip and reading goes on" {
	python3 -c 'print("{\"a\":1}"); print("{\"a\":\"" + "x" * 50000000 + "\"}"); print("{\"a\":2}")' > "$T/in"
	run bash -o pipefail -c "weir-sink --on-error skip < '$T/in'"
	[ "$status" -eq 0 ]
	[[ "$output" == *'{"a":1}'*'{"a":2}'* ]]
	[[ "$output" == *"skipped 1 bad record"* ]]
}

@test "WEIR_MAX_RECORD raises the limit" {
	python3 -c 'print("{\"a\":\"" + "x" * 20000000 + "\"}")' > "$T/in"
	run bash -o pipefail -c "weir-sink < '$T/in' | wc -c"
	[ "$status" -eq 1 ]
	[[ "$output" == *"longer than the record limit"* ]]
	run bash -o pipefail -c "WEIR_MAX_RECORD=64M weir-sink < '$T/in' | wc -c"
	[ "$status" -eq 0 ]
	[ "$output" -eq 20000009 ]
}

@test "an unknown non-critical frame type is skipped; a critical one is an error" {
	frames 3 > "$T/x"
	{ head -c 8 "$T/x"; printf '\041\002xy'; tail -c +9 "$T/x"; printf '\004\000'; } > "$T/in"
	run bash -o pipefail -c "weir-sink < '$T/in' | wc -l"
	[ "$output" -eq 3 ]
	{ head -c 8 "$T/x"; printf '\101\000'; tail -c +9 "$T/x"; printf '\004\000'; } > "$T/in"
	run weir-sink < "$T/in"
	[ "$status" -eq 3 ]
	[[ "$output" == *"unsupported critical frame type 0x41"* ]]
}

@test "data after END is an error, not silently ignored" {
	frames 3 > "$T/x"
	{ cat "$T/x"; printf '\004\000junk!!!!'; } > "$T/in"
	run weir-sink < "$T/in"
	[ "$status" -eq 3 ]
	[[ "$output" == *"data after END"* ]]
}

@test "fuzzed frame streams never crash (quick random sweep)" {
	weir-source --gen clicks -c 50 --key .user | weir-sink -f framed > "$T/x"
	# the 40 variants from one python3 (seeds 1..40), not 40 of them
	python3 - "$T/x" "$T/in" <<'P'
import random, sys
for i in range(1, 41):
    d = bytearray(open(sys.argv[1], 'rb').read())
    r = random.Random(i)
    for _ in range(r.randint(1, 8)):
        d[r.randrange(8, len(d))] = r.randrange(256)
    open("%s.%d" % (sys.argv[2], i), 'wb').write(d)
P
	for i in $(seq 1 40); do
		run limit weir-sink < "$T/in.$i"
		[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done
}
