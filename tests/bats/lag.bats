#!/usr/bin/env bats
# weir-source -b B -L -G GROUP: the group's committed offset, the end
# offset and the lag of each partition (kafka-consumer-groups --describe).
load helpers
load kafka_helpers

@test "-L -G lists committed, end and lag per partition; -J and -f ndjson as JSON" {
	broker_start --topic t:2 --topic u:2 --topic never:1
	seq 1 30 | kcat -b "$B" -P -t t -p 0
	seq 1 10 | kcat -b "$B" -P -t t -p 1
	seq 1 5 | kcat -b "$B" -P -t u -p 0
	# the group commits 25 of partition 0 and 4 of partition 1
	limit weir-source -b "$B" -t t -p 0 -X group.id=g -c 25 | weir-sink -f lines > "$T/1"
	limit weir-source -b "$B" -t t -p 1 -X group.id=g -c 4 | weir-sink -f lines >> "$T/1"
	[ "$(wc -l < "$T/1")" -eq 29 ]
	run limit weir-source -b "$B" -L -G g
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$T/list"
	# the header, then one line per partition of the topics the group
	# committed in (not u, not never)
	printf '%-5s %9s %9s %9s %9s\n' TOPIC PARTITION COMMITTED END LAG \
	    t 0 25 30 5 t 1 4 10 6 | diff - "$T/list"
	# JSON: the same rows
	limit weir-source -b "$B" -L -G g -J > "$T/json"
	jq -r '[.topic, .partition, .committed, .end, .lag] | @tsv' "$T/json" |
	    tr '\t' ' ' > "$T/j"
	awk 'NR > 1 { print $1, $2, $3, $4, $5 }' "$T/list" | diff - "$T/j"
	limit weir-source -b "$B" -L -G g -f ndjson | diff "$T/json" -
	# a named topic the group never read: no committed offset, no lag
	run limit weir-source -b "$B" -L -G g -t u
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(printf '%-5s %9d %9s %9d %9s' u 0 - 5 -)" ]
	[ "${lines[2]}" = "$(printf '%-5s %9d %9s %9d %9s' u 1 - 0 -)" ]
	limit weir-source -b "$B" -L -G g -J -t u | head -1 |
	    grep -qx '{"topic":"u","partition":0,"committed":null,"end":5,"lag":null}'
	# read to the end: no lag left
	limit weir-source -b "$B" -G g $GROUPX -e t | weir-sink -f lines > "$T/2"
	[ "$(cat "$T/1" "$T/2" | wc -l)" -eq 40 ]	# it started there
	limit weir-source -b "$B" -L -G g -J | jq -e -s \
	    'length == 2 and all(.lag == 0 and .committed == .end)'
}

@test "-L -G: an unknown topic is exit 3, -J without -L -G is a usage error" {
	broker_start --topic t:1
	run limit weir-source -b "$B" -L -G g -t nosuch
	[ "$status" -eq 3 ]
	[[ "$output" == *"topic nosuch does not exist"* ]]
	run weir-source -b "$B" -t t -J
	[ "$status" -eq 2 ]
	# a group with no offsets at all: only the header
	run limit weir-source -b "$B" -L -G nobody
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}
