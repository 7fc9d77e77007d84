#!/usr/bin/env bats
# weir-run: supervision cannot be frozen from the metrics port (issue 11,
# 4).  Slowloris and idle clients on --metrics must not delay noticing a
# stage killed with -9, acting on SIGTERM, or the watchdog pings of a
# supervision loop that makes progress.

load helpers
load run_helpers

SLOW="$BATS_TEST_DIRNAME/slowclients.py"

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# flood: 32 slowloris and 32 idle clients on the metrics port for 30 s
flood() {
	python3 "$SLOW" "$PORT" 30 32 32 3>&- &
	CL_PID=$!
	sleep 1.5
}

lines_more_than() {
	[ "$(wc -l < "$T/out")" -gt "$1" ]
}

@test "slow metrics clients: a stage killed with -9 is restarted within 2 s" {
	start_restarting
	old=$(stage_pid mid)
	[ -n "$old" ] && [ "$old" -gt 0 ]
	flood
	n=$(wc -l < "$T/out")
	t0=$(ms)
	kill -9 "$old"
	wait_for grep -q "restarting the pipeline" "$T/err"
	t1=$(ms)
	grep -q "stage 'mid' killed by signal 9" "$T/err"
	echo "noticed after $((t1 - t0)) ms"
	[ $((t1 - t0)) -le 2000 ]
	# the new run flows again
	wait_for lines_more_than $((n + 50))
	t2=$(ms)
	echo "flowing again after $((t2 - t0)) ms"
	[ $((t2 - t0)) -le 4000 ]
	kill -0 "$CL_PID"	# the clients were there all along
}

@test "slow metrics clients: SIGTERM drains and exits within 3 s; the watchdog pings go on" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" -t "$T/notify" 30 "$T/got" 3>&- &
	LP_PID=$!
	wait_for test -S "$T/notify"
	NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=400000 start_restarting
	flood
	t0=$(ms)
	sleep 1
	# pings kept coming while the clients were there (every 200 ms)
	n=$(awk -v t="$t0" '$1 >= t && $2 == "WATCHDOG=1"' "$T/got" | wc -l)
	echo "pings in 1 s: $n"
	[ "$n" -ge 3 ]
	t0=$(ms)
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	t1=$(ms)
	RUN_PID=
	echo "stopped after $((t1 - t0)) ms"
	[ "$status" -eq 0 ]
	[ $((t1 - t0)) -le 3000 ]
	grep -q "pipeline stopped" "$T/err"
}

@test "a stuck supervision loop stops the watchdog pings, while metrics are still served" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" -t "$T/notify" 30 "$T/got" 3>&- &
	LP_PID=$!
	wait_for test -S "$T/notify"
	# weir-run's stderr is a pipe nobody reads: once it is full, relaying
	# the chatty stage's stderr blocks the supervision loop
	mkfifo "$T/errpipe"
	exec 5<> "$T/errpipe"
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 100}
	  - {name: chatty, run: [sh, -c, 'sleep 1; i=0; while [ $i -lt 20000 ]; do echo "line $i" >&2; i=$((i+1)); done; cat > /dev/null']}
	Y
	NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=200000 \
	    weir-run --metrics 127.0.0.1:0 "$T/p.yaml" 2> "$T/errpipe" 3>&- 5>&- &
	RUN_PID=$!
	( sleep 60; kill -9 "$RUN_PID" ) > /dev/null 2>&1 3>&- 5>&- &
	GUARD_PID=$!
	# the port is in the first line weir-run wrote to its stderr
	read -r -t 10 line <&5
	PORT=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' <<< "$line")
	[ -n "$PORT" ]
	wait_for grep -q WATCHDOG=1 "$T/got"
	sleep 3		# the stage has filled the pipe by now
	t0=$(ms)
	curl -sf -m 5 "http://127.0.0.1:$PORT/metrics" | grep -q '^weir_stage_up{pipeline="pipeline",stage="chatty"} 1$'
	sleep 1.5
	n=$(awk -v t="$t0" '$1 >= t && $2 == "WATCHDOG=1"' "$T/got" | wc -l)
	echo "pings while stuck: $n"
	[ "$n" -eq 0 ]
	# read the pipe: the loop goes on, and so do the pings
	t0=$(ms)
	timeout 10 cat <&5 > /dev/null &
	CL_PID=$!
	exec 5<&-
	wait_for sh -c "awk -v t=$t0 '\$1 >= t && \$2 == \"WATCHDOG=1\"' '$T/got' | grep -q ."
}
