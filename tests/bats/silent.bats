#!/usr/bin/env bats
# Nothing silent (issue 11): a failure travels down the pipeline, and what a
# program cannot write or read is said, never dropped without a word.

load helpers

@test "a source that fails before its first frame fails the whole pipeline" {
	run bash -o pipefail -c "weir-source '$T/missing.ndjson' | weir-agg count \
	    | weir-sink; echo \"status \${PIPESTATUS[*]}\""
	[[ "$output" == *"status 3 3 3"* ]]
	[[ "$output" == *"missing.ndjson"* ]]
	[[ "$output" == *"weir-agg: "*"without END"* ]]
}

@test "every frame-writing stage writes the stream header when it starts" {
	# the reader sees a stream cut short, not an empty one
	for p in "weir-source" "weir-filter true" "weir-map x=1" \
	    "weir-agg count" "weir-window tumbling 1m" "weir-sink -f framed"; do
		run bash -c "sleep 2 | timeout -s KILL 1 $p | od -An -c | head -1"
		[[ "$output" == *"W   E   I   R"* ]] || { echo "$p: $output"; return 1; }
	done
}

@test "-X @DIRECTORY is an error naming the path, not an empty file" {
	mkdir "$T/props"
	for p in "weir-source -b 127.0.0.1:1 -t t -e -m 1" \
	    "weir-sink -b 127.0.0.1:1 -t t -m 1"; do
		run limit sh -c "$p -X @'$T/props' < /dev/null > /dev/null"
		[ "$status" -eq 2 ] || { echo "$p: $status $output"; return 1; }
		[[ "$output" == *"$T/props"* ]]
	done
}

@test "an invalid WEIR_MAX_RECORD is an error (exit 2), not ignored" {
	ndjson '{"a":1}'
	for v in lots 16X 16MB 100 2G -1 99999999999999999999; do
		run sh -c "WEIR_MAX_RECORD='$v' weir-sink < '$T/in.ndjson'"
		[ "$status" -eq 2 ] || { echo "$v: $status $output"; return 1; }
		[[ "$output" == *"WEIR_MAX_RECORD"*"$v"* ]]
	done
	for v in 1024 64k 64M 1G ''; do
		run sh -c "WEIR_MAX_RECORD='$v' weir-sink < '$T/in.ndjson'"
		[ "$status" -eq 0 ] || { echo "$v: $status $output"; return 1; }
	done
	run sh -c "WEIR_MAX_RECORD=x weir-run --check /dev/null"
	[ "$status" -eq 2 ]
}

@test "invalid UTF-8 in a CSV header is bad data (exit 1), not I/O" {
	printf 'a,\377b\n1,2\n' > "$T/in.csv"
	run sh -c "weir-source '$T/in.csv' > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"header is not valid UTF-8"* ]]
	run sh -c "weir-sink -i csv < '$T/in.csv'"
	[ "$status" -eq 1 ]
	run sh -c "weir-filter -i csv true < '$T/in.csv'"
	[ "$status" -eq 1 ]
	run weir-check --not-null .a "$T/in.csv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"header is not valid UTF-8"* ]]
}

@test "weir-source refuses a record whose frame its readers would refuse" {
	# a 40 kB line keyed by its 40 kB field: an 80 kB frame over a 64k limit
	python3 -c 'print("{\"k\":\"a\",\"n\":1}"); print("{\"k\":\"" + "x" * 40000 + "\"}"); print("{\"k\":\"b\",\"n\":2}")' > "$T/in.ndjson"
	export WEIR_MAX_RECORD=64k
	run bash -c "weir-source --key .k '$T/in.ndjson' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"weir-source: "*"in.ndjson:2: "*"exceeds the record limit"* ]]
	[[ "$output" == *"status 1 3" ]]
	# --on-error skip: the other records go on and the reader is happy
	run bash -o pipefail -c "weir-source --on-error skip --key .k '$T/in.ndjson' \
	    | weir-map y=1 | weir-sink -f csv --fields n"
	[ "$status" -eq 0 ]
	[[ "$output" == *"skipped 1 bad record"* ]]
	[ "$(echo "$output" | grep -c '^[12]$')" -eq 2 ]
}

@test "a stage refuses to write a frame over the record limit (bad data, exit 1)" {
	python3 -c 'print("{\"k\":\"" + "x" * 40000 + "\"}")' > "$T/in.ndjson"
	run bash -c "weir-source '$T/in.ndjson' \
	    | WEIR_MAX_RECORD=64k weir-map 'a=.k' 'b=.k' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"status 0 1 3" ]]
	[[ "$output" == *"weir-map: "*"exceeds the record limit"* ]]
}

@test "a 9 MB line keyed by its 9 MB field is refused at the source (default limit)" {
	python3 -c 'print("{\"k\":\"" + "x" * 9000000 + "\"}")' > "$T/in.ndjson"
	run bash -c "weir-source --key .k '$T/in.ndjson' | weir-sink > /dev/null; \
	    echo status \${PIPESTATUS[*]}"
	[[ "$output" == *"weir-source: "*"exceeds the record limit of 16777216 bytes"* ]]
	[[ "$output" == *"status 1 3" ]]
}
