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

@test "a source whose final commit is refused exits 3" {
	broker_start --topic t:2
	seq 1 10 | kcat -b "$B" -P -t t
	limit weir-source -b "$B" -G g $GROUPX -e t | lines > "$T/1"
	[ "$(wc -l < "$T/1")" -eq 10 ]
	seq 11 20 | kcat -b "$B" -P -t t
	# weir-broker (librdkafka's mock) refuses offset commits from outside
	# a group it knows (unknown member): the offsets of what was written
	# out are not committed, which must not pass for success
	run limit weir-source -b "$B" -X group.id=g -o stored -e -t t
	[ "$status" -eq 3 ]
	[[ "$output" == *"commit: "* ]]
}

# member GROUP NAME: one -e member's output in $T/NAME, stderr in $T/eNAME
member() {
	limit bash -o pipefail -c 'weir-source -b "$1" -G "$2" $3 -e t \
	    2> "$4/e$5" | weir-sink -f lines > "$4/$5"' - "$B" "$1" "$GROUPX" \
	    "$T" "$2"
}

# Two -e members of one group, the second joining while the first reads:
# both exit 0 and together wrote every message (twice is allowed across a
# rebalance, never missing).  A member whose final commit met a rebalance
# (the other joined or left) must get back into the group and commit.
@test "two -e members of a group read every message and both exit 0" {
	broker_start --topic t:4
	seq 1 40000 | kcat -b "$B" -P -t t
	for delay in 0 0.3; do
		g=g$delay
		member "$g" a &
		pa=$!
		sleep "$delay"
		member "$g" b &
		pb=$!
		KILL_PIDS="$pa $pb"
		sa=0 sb=0
		wait "$pa" || sa=$?
		wait "$pb" || sb=$?
		cat "$T/ea" "$T/eb" >&2
		[ "$sa" -eq 0 ]
		[ "$sb" -eq 0 ]
		sort -u -n "$T/a" "$T/b" | diff -q <(seq 1 40000) -
	done
}

# A member pauses a partition it has finished (e@MS or -e); when a
# rebalance gives that partition back to it, it must fetch it again.
@test "a partition a member finished and gets back in a rebalance is read again" {
	broker_start --topic t:2
	stop=$(($(date +%s%3N) + 2000))
	echo a | kcat -b "$B" -P -t t -p 0
	echo b | kcat -b "$B" -P -t t -p 1
	LIMIT=30 limit bash -o pipefail -c 'weir-source -b "$1" -G g $2 \
	    -X debug=cgrp -o "e@$3" t 2> "$4/ea" | weir-sink -f lines > "$4/a"' \
	    - "$B" "$GROUPX" "$stop" "$T" &
	pa=$!
	KILL_PIDS=$pa
	while [ "$(date +%s%3N)" -le "$stop" ]; do sleep 0.1; done
	# partition 0 ends here: the member pauses it
	echo c | kcat -b "$B" -P -t t -p 0
	for i in $(seq 100); do
		[ "$(wc -l < "$T/a")" -ge 2 ] && break
		sleep 0.1
	done
	sleep 1
	# a second member joins and leaves: the first gets both back
	weir-source -b "$B" -G g $GROUPX -X debug=cgrp -o "e@$stop" t \
	    > /dev/null 2> "$T/eb" &
	pb=$!
	KILL_PIDS="$pa $pb"
	for i in $(seq 200); do
		grep -q "new assignment of 1 partition" "$T/eb" && break
		sleep 0.1
	done
	kill -TERM "$pb" 2>/dev/null || true
	wait "$pb" || true
	# partition 1 ends too; partition 0 ends again at c: the member exits
	echo d | kcat -b "$B" -P -t t -p 1
	wait "$pa"
	sort -u "$T/a" | diff <(printf 'a\nb\n') -
}

@test "-o stored without -G starts a partition with no committed offset at the beginning" {
	broker_start --topic t:2
	seq 1 5 | kcat -b "$B" -P -t t -p 0
	seq 6 10 | kcat -b "$B" -P -t t -p 1
	# commits partition 0 at 3; partition 1 has no committed offset
	limit weir-source -b "$B" -X group.id=h -p 0 -c 3 -t t | lines > "$T/1"
	printf '1\n2\n3\n' | diff - "$T/1"
	limit weir-source -b "$B" -X group.id=h -o stored -e -t t | lines |
	    sort -n | diff <(seq 4 10) -
	# -X auto.offset.reset still decides
	seq 11 12 | kcat -b "$B" -P -t t -p 1
	limit weir-source -b "$B" -X group.id=h2 -X auto.offset.reset=latest \
	    -o stored -e -t t | lines > "$T/3"
	[ ! -s "$T/3" ]
}

@test "-G: a SIGTERM after the broker went away ends the source (the last commit gives up), exit 3" {
	group_broker_gone
	kill -TERM "$p"
	wait_gone "$p" 40
	status=0
	wait "$p" || status=$?
	[ "$status" -eq 3 ]
	grep -q "commit" "$T/err"
}

# A member commits what it wrote out before it gives its partitions up.
# Here the group rebalances (a second member joins) while the member is
# blocked on its output, and its broker goes away before the member gets
# to the revoke: that commit waited for the coordinator until librdkafka
# gave it up after the session timeout (45 s by default; 55 s to exit).
@test "-G: the commit before a revoke gives up after ten seconds when the broker went away, exit 3" {
	broker_start --topic t:2
	seq 1 300000 | kcat -b "$B" -P -t t
	mkfifo "$T/fa"
	weir-sink -f lines < "$T/fa" > "$T/a" &
	sa=$!
	weir-source -b "$B" -G g -X debug=cgrp t > "$T/fa" 2> "$T/ea" &
	pa=$!
	KILL_PIDS="$pa $sa"
	for i in $(seq 300); do
		grep -q "new assignment of 2 partition" "$T/ea" &&
		    [ -s "$T/a" ] && break
		sleep 0.1
	done
	[ -s "$T/a" ]
	# the member's output stops: it is blocked writing, not polling
	kill -STOP "$sa"
	sleep 1
	weir-source -b "$B" -G g t > /dev/null 2> "$T/eb" &
	pb=$!
	KILL_PIDS="$pa $sa $pb"
	# its heartbeats (every 3 s by default) learn of the rebalance
	sleep 5
	broker_stop
	kill -CONT "$sa"
	sleep 1
	kill -TERM "$pa"
	wait_gone "$pa" 25	# the revoke's commit and the exit: 10 s
	status=0
	wait "$pa" || status=$?
	# the member got the revoke, and its commit found no coordinator
	grep -q "delegating revoke" "$T/ea"
	grep -q "Deferring \"manual\" offset commit" "$T/ea"
	[ "$status" -eq 3 ]
	grep -q "commit: .*Timed out" "$T/ea"
}
