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
	sleep 0.3
	kill -TERM "$pid" || { cat "$T/err"; return 1; }
	sleep 0.3
	kill -TERM "$pid" 2> /dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2> /dev/null || true
	status=0
	wait "$pid" || status=$?
	exec 7>&-
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
