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

@test "two SIGTERMs: every program stops with exit 3 and one message" {
	printf '{"k":1,"ts":1}\n' > "$T/right.ndjson"
	weir-source --time .ts "$T/right.ndjson" > "$T/right.wf"
	while IFS= read -r cmd; do
		rm -f "$T/fifo"
		# shellcheck disable=SC2086
		two_terms $cmd
		prog=${cmd%% *}
		want="$prog: stopped by a second signal before the end of input"
		if [ "$status" -ne 3 ] || [ "$(cat "$T/err")" != "$want" ]; then
			echo "$cmd: status $status, stderr:"
			cat "$T/err"
			return 1
		fi
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
