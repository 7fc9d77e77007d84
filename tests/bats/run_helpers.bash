# Shared by the weir-run suites (run.bats, run-*.bats): start weir-run in
# the background and wait for it, clean up by PID.

# Start weir-run in the background: logs to $T/err, pid in $RUN_PID; a
# guard kills it after 60 s so no test can hang.
start_run() {
	weir-run "$@" 2> "$T/err" 3>&- &
	RUN_PID=$!
	( sleep 60; kill -9 "$RUN_PID" ) > /dev/null 2>&1 3>&- &
	GUARD_PID=$!
}

# wait_for CMD...: poll (up to 10 s) until CMD succeeds.
wait_for() {
	local i
	for i in $(seq 200); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

stage_pid() {	# NAME: the pid of a stage's process (from the status page)
	weir-run --status "127.0.0.1:$PORT" | awk -v n="$1" '$1 == n { print $2 }'
}

metrics_port() {
	PORT=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$T/err")
	[ -n "$PORT" ]
}

# Start a paced source, a middle stage and a sink appending to $T/out,
# restarted after 100 ms, with metrics ($PORT); wait for output.
start_restarting() {
	cat > "$T/p.yaml" <<-Y
	restart: {backoff: [100ms, 1s], max: 5, period: 1m}
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 500}
	  - {name: mid, run: weir-source}
	  - {name: out, run: [weir-sink, -f, ndjson, -a, -o, $T/out]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	wait_for test -s "$T/out"
}

# Kill what a test started (by PID): $CL_PID and $LP_PID if set, the
# guard, weir-run.
teardown() {
	[ -z "${CL_PID:-}" ] || kill "$CL_PID" 2>/dev/null || true
	[ -z "${LP_PID:-}" ] || kill "$LP_PID" 2>/dev/null || true
	[ -z "${GUARD_PID:-}" ] || kill "$GUARD_PID" 2>/dev/null || true
	if [ -n "${RUN_PID:-}" ]; then
		kill -9 "$RUN_PID" 2>/dev/null || true
		wait "$RUN_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
