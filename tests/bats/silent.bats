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
