#!/usr/bin/env bats
# weir-source -G: balanced groups, deterministic -e, at-least-once commits.
load helpers
load kafka_helpers

lines() { weir-sink -f lines; }

@test "-G commits only what was written out; -G with -e terminates" {
	broker_start --topic t:3
	seq 1 40 | kcat -b "$B" -P -t t
	# librdkafka fetched more than 7: only the 7 written out count
	limit weir-source -b "$B" -G g $GROUPX -c 7 t | lines > "$T/1"
	[ "$(wc -l < "$T/1")" -eq 7 ]
	limit weir-source -b "$B" -G g $GROUPX -e t | lines > "$T/2"
	# every message exactly once over the two runs: none lost, none again
	sort -n "$T/1" "$T/2" > "$T/all"
	seq 1 40 | diff - "$T/all"
	# the group's committed offsets: nothing new, then exactly what follows
	limit weir-source -b "$B" -G g $GROUPX -e t | lines > "$T/3"
	[ ! -s "$T/3" ]
	seq 41 45 | kcat -b "$B" -P -t t
	limit weir-source -b "$B" -G g $GROUPX -e t | lines |
	    sort -n | diff <(seq 41 45) -
}

@test "two -G members split a topic and together read every message once" {
	broker_start --topic t:4
	mkfifo "$T/fa" "$T/fb"
	weir-sink -f envelope < "$T/fa" > "$T/a" &
	sa=$!
	weir-sink -f envelope < "$T/fb" > "$T/b" &
	sb=$!
	# both members hold two partitions each before the data arrives
	# (the mock refuses offset commits during a rebalance)
	weir-source -b "$B" -G g $GROUPX -X debug=cgrp t > "$T/fa" 2> "$T/ea" &
	pa=$!
	weir-source -b "$B" -G g $GROUPX -X debug=cgrp t > "$T/fb" 2> "$T/eb" &
	pb=$!
	KILL_PIDS="$pa $pb $sa $sb"
	for i in $(seq 200); do
		grep -q "new assignment of 2 partition" "$T/ea" &&
		    grep -q "new assignment of 2 partition" "$T/eb" && break
		sleep 0.1
	done
	for i in $(seq 1 200); do echo "k$i:$i"; done | kcat -b "$B" -P -t t -K:
	for i in $(seq 150); do
		[ "$(cat "$T/a" "$T/b" | wc -l)" -ge 200 ] && break
		sleep 0.1
	done
	kill -TERM "$pa" "$pb"
	wait "$pa" "$pb" "$sa" "$sb"
	[ -s "$T/a" ]
	[ -s "$T/b" ]
	jq .value "$T/a" "$T/b" | sort -n > "$T/all"
	seq 1 200 | diff - "$T/all"
	# a partition belongs to one member only
	jq .partition "$T/a" | sort -u > "$T/pa"
	jq .partition "$T/b" | sort -u > "$T/pb"
	[ -z "$(comm -12 "$T/pa" "$T/pb")" ]
}
