#!/usr/bin/env bats
# weir-broker: a fixed port, a ready file, fault injection from the command
# line and from a control FIFO while it runs; -b "" and argv in ps.
load helpers
load kafka_helpers

@test "-b '': a usage error (exit 2) in weir-source and weir-sink" {
	run limit weir-source -b "" -t t -e
	[ "$status" -eq 2 ]
	[[ "$output" == *"-b"* ]]
	run limit weir-source -b "" -L
	[ "$status" -eq 2 ]
	run sh -c 'echo 1 | weir-sink -b "" -t t'
	[ "$status" -eq 2 ]
	[[ "$output" == *"-b"* ]]
	run sh -c 'echo 1 | weir-sink -b " , " -t t'
	[ "$status" -eq 2 ]
}
