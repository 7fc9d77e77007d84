#!/usr/bin/env bats
# A checkpointed stage whose upstream died before it wrote anything (killed
# while starting) must not take the empty input for a clean, empty stream:
# that would commit a final checkpoint and drop the pipeline's state.

load helpers

@test "with --state, an empty input is the upstream's failure (exit 3), for every stage and the sink" {
	cd "$T"
	for cmd in "weir-window tumbling 1s" "weir-agg count" "weir-filter true" \
	    "weir-map x=1" "weir-check --not-null .a" "weir-join --table /dev/null" \
	    "weir-sink -o out"; do
		run $cmd --state st < /dev/null
		echo "$cmd: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"empty input, expected a weir frame stream"* ]]
	done
	[ ! -e st/COMMITTED ]
	# without --state an empty input is an empty stream, as before
	run weir-agg count < /dev/null
	[ "$status" -eq 0 ]
}
