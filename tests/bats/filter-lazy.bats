#!/usr/bin/env bats
# weir-filter with an expression that reads no field (true, ts() > 5,
# key() == "a") passes packed values from frames to frames unchecked: the
# stage that reads them checks them.  With a path, or text out, it checks
# them on the way in.
load helpers
load packed-frames

# Two records (no time, no key) whose packed value is a plain string
# holding a quote: corrupt.
corrupt_values() {
	frames 4122 4122
}

@test "an expression without a path passes a corrupt value on; the reader refuses it" {
	corrupt_values > "$T/in"
	passes_corrupt weir-filter true "'1 == 1'" "'not false'"
	# the same bytes, frames to frames: byte for byte
	run bash -o pipefail -c "weir-filter true < '$T/in' | cmp - '$T/in'"
	[ "$status" -eq 0 ]
}

@test "a path, or text out: weir-filter refuses a corrupt value itself" {
	corrupt_values > "$T/in"
	for args in "'.x == 1'" "'exists(.)'" "true -f ndjson" \
	    "'.x == 1' --on-error skip"; do
		run bash -c "weir-filter $args < '$T/in' > /dev/null"
		echo "$args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"weir-filter: "*"corrupt packed value"* ]]
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done
}

@test "without a path the records are the same as with one" {
	weir-source --gen clicks --count 2000 > "$T/in"
	run bash -o pipefail -c "weir-filter 'ts() > 0' < '$T/in' | weir-sink -f ndjson > '$T/a'"
	[ "$status" -eq 0 ]
	run bash -o pipefail -c "weir-filter 'exists(.user) or true' < '$T/in' | weir-sink -f ndjson > '$T/b'"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$T/a")" -eq 2000 ]
	cmp "$T/a" "$T/b"
}
