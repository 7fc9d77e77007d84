#!/usr/bin/env bats
# Signals are handled once, in the stage loop (lib/prog/stage.c): the first
# SIGTERM lets a program drain its input to END, a second one stops it at
# once with exit 3 and one message, the same in every program.

load helpers

# two_terms ARGS...: run a program on a pipe that stays open and silent,
# send SIGTERM twice; leaves its status in $status and stderr in $T/err.
two_terms() {
	mkfifo "$T/fifo"
	exec 7<> "$T/fifo"	# a writer that never writes nor closes
	"$@" < "$T/fifo" > /dev/null 2> "$T/err" &
	local pid=$! i
	catches_term "$pid"
	sleep 0.1
	kill -TERM "$pid" || { cat "$T/err"; return 1; }
	sleep 0.3
	kill -TERM "$pid" 2> /dev/null || true
	reap "$pid"
	exec 7>&-
}

# catches_term PID: wait (at most 10 s) until PID has its SIGTERM handler
# (SigCgt bit 15 in /proc), so a loaded machine cannot make the first
# signal arrive before the program is ready for it.
catches_term() {
	local i m
	for i in $(seq 200); do
		m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2> /dev/null)
		[ -n "$m" ] && (( 0x$m & 0x4000 )) && return 0
		sleep 0.05
	done
	return 0
}

# reap PID: wait at most 10 s for it to exit (then kill it); its exit
# status in $status.
reap() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2> /dev/null || true
	status=0
	wait "$1" || status=$?
}

# stopped_by_second CMD: $status is 3 and $T/err the one message.
stopped_by_second() {
	local want="${1%% *}: stopped by a second signal before the end of input"
	if [ "$status" -ne 3 ] || [ "$(cat "$T/err")" != "$want" ]; then
		echo "$1: status $status, stderr:"
		cat "$T/err"
		return 1
	fi
}

@test "two SIGTERMs: every program stops with exit 3 and one message" {
	printf '{"k":1,"ts":1}\n' > "$T/right.ndjson"
	weir-source --time .ts "$T/right.ndjson" > "$T/right.wf"
	while IFS= read -r cmd; do
		rm -f "$T/fifo"
		# shellcheck disable=SC2086
		two_terms $cmd
		stopped_by_second "$cmd" || return 1
	done <<-EOF2
	weir-window tumbling 1s
	weir-agg count
	weir-filter .a
	weir-map .b=1
	weir-join --right $T/right.wf --within 1s --on .k
	weir-join --table $T/right.ndjson --on .k
	weir-check --not-null .a
	weir-sink
	weir-sink -f ndjson -o $T/out
	EOF2
}

# one_term ARGS...: run a source that would go on, send one SIGTERM once it
# wrote records (more than its header); leaves its status in $status, its
# output in $T/out.wf.
one_term() {
	"$@" > "$T/out.wf" 2> "$T/err" &
	local pid=$! i
	for i in $(seq 200); do
		[ "$(wc -c < "$T/out.wf")" -gt 400 ] && break
		sleep 0.05
	done
	kill -TERM "$pid" || { cat "$T/err"; return 1; }
	reap "$pid"
}

@test "sources (generators, Kafka): the first SIGTERM ends the input cleanly through the stage loop" {
	load kafka_helpers
	broker_start --topic in:2
	weir-source --gen clicks --count 100 --seed 1 | weir-sink -b "$B" -t in
	while IFS= read -r cmd; do
		# shellcheck disable=SC2086
		one_term $cmd
		# exit 0, nothing said, and a stream that ends with END
		if [ "$status" -ne 0 ] || [ -s "$T/err" ] ||
		    ! weir-sink -f ndjson < "$T/out.wf" > "$T/out.nd"; then
			echo "$cmd: status $status, stderr:"
			cat "$T/err"
			return 1
		fi
		[ -s "$T/out.nd" ]
	done <<-EOF2
	weir-source --gen clicks --rate 200
	weir-source --gen nexmark --rate 200
	weir-source -b $B -t in
	weir-source -b $B -G g $GROUPX in
	weir-source -b $B -t in --time .ts --max-delay 1s --checkpoint 50ms --state $T/st
	EOF2
}

# two_terms_source ARGS...: run a source whose reader never reads (its
# output is a FIFO held open and never read, so it blocks writing), send
# SIGTERM twice; leaves its status in $status and stderr in $T/err.  Its
# input is the file TT_IN (default /dev/null).
two_terms_source() {
	rm -f "$T/ofifo"
	mkfifo "$T/ofifo"
	exec 8<> "$T/ofifo"	# a reader that never reads nor closes
	"$@" < "${TT_IN:-/dev/null}" > "$T/ofifo" 2> "$T/err" &
	local pid=$!
	catches_term "$pid"
	sleep 0.5	# the pipe fills up
	kill -TERM "$pid" || { cat "$T/err"; return 1; }
	sleep 0.3
	kill -TERM "$pid" 2> /dev/null || true
	reap "$pid"
	exec 8>&-
}

@test "sources (file input, generators, Kafka): a second SIGTERM stops them with exit 3 and one message, wherever they are" {
	load kafka_helpers
	broker_start --topic in:1
	weir-source --gen clicks --count 40000 --seed 1 > "$T/clicks.wf"
	weir-sink -f ndjson < "$T/clicks.wf" > "$T/clicks.ndjson"
	weir-sink -b "$B" -t in < "$T/clicks.wf"
	while IFS= read -r cmd; do
		# shellcheck disable=SC2086
		two_terms_source $cmd
		stopped_by_second "$cmd" || return 1
	done <<-EOF2
	weir-source $T/clicks.ndjson
	weir-source --time .ts --max-delay 1s $T/clicks.ndjson
	weir-source --gen clicks
	weir-source --gen nexmark
	weir-source -b $B -t in
	EOF2
}

@test "Kafka source: a second SIGTERM during the last commit (broker gone) stops it at once, exit 3, one message" {
	load kafka_helpers
	group_broker_gone -q	# -q: no librdkafka diagnostics about it
	kill -TERM "$p"
	sleep 1	# in the last commit, which waits up to 10 s
	kill -0 "$p"
	kill -TERM "$p"
	t0=$(date +%s)
	reap "$p"
	[ $(( $(date +%s) - t0 )) -le 3 ]
	stopped_by_second weir-source
}

# two_terms_blocked ARGS...: run a stage on $T/in.wf whose reader never
# reads (a FIFO held open), so that it blocks writing, with input still
# to come (a writer holding stdin open); SIGTERM twice.
two_terms_blocked() {
	rm -f "$T/ififo"
	mkfifo "$T/ififo"
	exec 9<> "$T/ififo"	# input that never ends
	cat "$T/in.wf" >&9 &
	local cpid=$!
	TT_IN=$T/ififo two_terms_source "$@"
	kill "$cpid" 2> /dev/null || true
	wait "$cpid" 2> /dev/null || true
	exec 9>&-
}

@test "a stage blocked writing to a reader that does not read: a second SIGTERM stops it, exit 3, one message" {
	weir-source --gen clicks --count 200000 --seed 1 \
	    > "$T/in.wf"
	while IFS= read -r cmd; do
		# shellcheck disable=SC2086
		two_terms_blocked $cmd
		stopped_by_second "$cmd" || return 1
	done <<-EOF2
	weir-filter .amount
	weir-map .b=1
	weir-window tumbling 1s --copies
	weir-sink -f ndjson
	EOF2
}
