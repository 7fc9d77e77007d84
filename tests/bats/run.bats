#!/usr/bin/env bats
# weir-run: pipelines from YAML, wiring, supervision, stop, systemd notify,
# metrics.  Only weir-source, weir-sink and small shell stages are used
# here, so these run on every branch.

load helpers
load run_helpers

@test "linear pipeline: the same output as the shell pipe" {
	cat > "$T/p.yaml" <<-'Y'
	name: linear
	env: {N: "${N:-2000}"}
	stages:
	  - {name: src, run: "weir-source --gen clicks --count ${N} --max-delay 1s"}
	  - {name: mid, run: [weir-source]}
	  - {name: out, run: weir-sink -f csv}
	Y
	N=3000 limit weir-run "$T/p.yaml" > "$T/got"
	weir-source --gen clicks --count 3000 --max-delay 1s | weir-source |
	    weir-sink -f csv > "$T/want"
	[ "$(wc -l < "$T/got")" -eq 3001 ]
	cmp "$T/got" "$T/want"
}

@test "the first stage reads weir-run's stdin; quoting without a shell" {
	printf '{"a":"x y"}\n{"a":"$HOME"}\n' > "$T/in"
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: in, run: "weir-source -f ndjson"}
	  - {name: out, run: "weir-sink -f csv --fields 'a'"}
	Y
	run limit weir-run "$T/p.yaml" < "$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = $'a\nx y\n$HOME' ]
}

@test "fan-in: a side stage on descriptor 3" {
	printf '{"l":1}\n{"l":2}\n' > "$T/L"
	printf '{"r":1}\n' > "$T/R"
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: left, run: [weir-source, $T/L]}
	  - {name: ltext, run: weir-sink -f ndjson}
	  - {name: right, run: [weir-source, $T/R]}
	  - {name: rtext, run: weir-sink -f ndjson, input: right}
	  - {name: both, run: [sh, -c, 'cat; cat <&3'], inputs: {3: rtext}}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = $'{"l":1}\n{"l":2}\n{"r":1}' ]
}

@test "fan-out: two consumers of one stage get the whole stream" {
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src, run: weir-source --gen clicks --count 5000}
	  - {name: a, run: [weir-sink, -f, ndjson, -o, $T/a]}
	  - {name: b, run: [weir-sink, -f, ndjson, -o, $T/b], input: src, stdout: none}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 0 ]
	weir-source --gen clicks --count 5000 | weir-sink -f ndjson > "$T/want"
	cmp "$T/a" "$T/want"
	cmp "$T/b" "$T/want"
	run weir-run --dot "$T/p.yaml"
	[[ "$output" == *'"src" -> "a";'*'"src" -> "b";'* ]]
}

@test "stderr lines carry the stage name; a check failure is exit 1" {
	printf '{"a":1}\nnot json\n' > "$T/in"
	cat > "$T/p.yaml" <<-Y
	restart: {policy: never}
	stages:
	  - {name: reader, run: [weir-source, $T/in]}
	  - {name: out, run: weir-sink}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"reader: weir-source: "*"in:2"* ]]
	[[ "$output" == *"stage 'reader' exited with status 1"* ]]
}

@test "kill -9 of a middle stage: restart logged, the pipeline runs on" {
	start_restarting
	old=$(stage_pid mid)
	[ -n "$old" ] && [ "$old" != 0 ]
	kill -9 "$old"
	wait_for grep -q "restarting the pipeline" "$T/err"
	grep -q "stage 'mid' killed by signal 9" "$T/err"
	wait_for sh -c "[ \"\$(weir-run --status 127.0.0.1:$PORT | awk '\$1 == \"mid\" { print \$2 }')\" -gt 0 ]"
	new=$(stage_pid mid)
	[ "$new" != "$old" ]
	n1=$(wc -l < "$T/out")
	wait_for sh -c "[ \$(wc -l < '$T/out') -gt $((n1 + 100)) ]"
	run curl -sf "http://127.0.0.1:$PORT/metrics"
	[[ "$output" == *'weir_pipeline_restarts_total{pipeline="pipeline"} 1'* ]]
	kill "$RUN_PID"
	wait "$RUN_PID"
}

@test "restart limit reached: weir-run gives up with a non-zero status" {
	cat > "$T/p.yaml" <<-'Y'
	restart: {backoff: 50ms, max: 2, period: 1m}
	stages:
	  - {name: src, run: weir-source --gen clicks --count 10}
	  - {name: flaky, run: [sh, -c, 'cat >/dev/null; exit 3']}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 3 ]
	[ "$(grep -c "restarting the pipeline" <<< "$output")" -eq 2 ]
	[[ "$output" == *"giving up: more than 2 restarts within 1m"* ]]
}

@test "a stage exiting with the usage status is not restarted" {
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --no-such-option}
	  - {name: out, run: weir-sink}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not restarting"* ]]
	[[ "$output" != *"restarting the pipeline"* ]]
}

@test "SIGTERM: sources stop, END drains the pipeline, exit 0, all flushed" {
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 2000 --max-delay 1s}
	  - {name: mid, run: weir-source}
	  - {name: out, run: [weir-sink, -f, csv, --fields, 'user,page,amount', -o, $T/out]}
	Y
	start_run "$T/p.yaml"
	# until records come out (the sink flushes when its input is idle,
	# into a temporary file renamed to out at the end), not a fixed
	# second, which a loaded machine may spend starting up
	i=0
	while [ "$(cat "$T"/.out.*.tmp 2>/dev/null | wc -l)" -le 101 ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 0 ]
	grep -q "pipeline stopped" "$T/err"
	! grep -q "killing" "$T/err" || false
	n=$(($(wc -l < "$T/out") - 1))
	[ "$n" -gt 100 ]
	# every record the source made is there, the last line complete
	# (paced clicks carry the wall-clock time: compare the other fields)
	weir-source --gen clicks --count "$n" |
	    weir-sink -f csv --fields user,page,amount | cmp - "$T/out"
}

@test "SIGTERM: a stage that does not stop is killed after --stop-timeout and named" {
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 100}
	  - {name: stubborn, run: [sh, -c, 'trap "" TERM; cat >/dev/null; sleep 30']}
	Y
	start_run --stop-timeout 300ms "$T/p.yaml"
	sleep 0.5
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 3 ]
	grep -q "stage 'stubborn' did not stop within the stop timeout" "$T/err"
}

@test "NOTIFY_SOCKET: READY=1, STATUS, WATCHDOG=1 and STOPPING=1" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" "$T/notify" 10 "$T/got" 3>&- &
	lp=$!
	wait_for test -S "$T/notify"
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=200000 start_run "$T/p.yaml"
	sleep 1.2
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 0 ]
	wait "$lp"
	grep -qx "READY=1" "$T/got"
	grep -q "^STATUS=running: [0-9]* records/s, 0 restarts" "$T/got"
	grep -qx "WATCHDOG=1" "$T/got"
	grep -qx "STOPPING=1" "$T/got"
	# READY comes first, STOPPING after it
	[ "$(grep -n -x READY=1 "$T/got" | cut -d: -f1)" -lt \
	  "$(grep -n -x STOPPING=1 "$T/got" | head -1 | cut -d: -f1)" ]
}

@test "metrics: Prometheus text scraped with curl; loopback unless asked" {
	cat > "$T/p.yaml" <<-'Y'
	name: scrape
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000 --max-delay 1s}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	# stages report their counters about once a second: wait for the
	# source's watermark and the sink's records (not a fixed sleep)
	wait_for sh -c "curl -sf http://127.0.0.1:$PORT/metrics |
	    grep -q '^weir_watermark_seconds{pipeline=\"scrape\",stage=\"src\"} 17' &&
	    curl -sf http://127.0.0.1:$PORT/metrics |
	    grep -q '^weir_records_in_total{pipeline=\"scrape\",stage=\"out\"} [1-9]'"
	run curl -sf "http://127.0.0.1:$PORT/metrics"
	[ "$status" -eq 0 ]
	[[ "$output" == *'# TYPE weir_records_out_total counter'* ]]
	[[ "$output" == *'weir_stage_up{pipeline="scrape",stage="src"} 1'* ]]
	n=$(awk '/^weir_records_out_total\{pipeline="scrape",stage="src"\}/ { print $2 }' <<< "$output")
	[ "$n" -gt 0 ]
	n=$(awk '/^weir_records_in_total\{pipeline="scrape",stage="out"\}/ { print $2 }' <<< "$output")
	[ "$n" -gt 0 ]
	[[ "$output" == *'weir_watermark_seconds{pipeline="scrape",stage="src"} 17'* ]]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope"
	[ "$output" = 404 ]
	run weir-run --status "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "STAGE"*"PID"*"IN/s"*"WATERMARK"* ]]
	[[ "${lines[1]}" == "src "*"running"* ]]
	run weir-run --metrics 0.0.0.0:0 "$T/p.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--metrics-public"* ]]
}

@test "SIGUSR1 prints the stage table on stderr" {
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 500}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run "$T/p.yaml"
	sleep 0.5
	kill -USR1 "$RUN_PID"
	wait_for grep -q "^STAGE" "$T/err"
	wait_for grep -q "^out .*running" "$T/err"
}

@test "JOURNAL_STREAM: stage lines and weir-run's own carry <N> priorities" {
	cat > "$T/p.yaml" <<-'Y'
	restart: {policy: never}
	stages:
	  - {name: bad, run: [sh, -c, 'echo "error: broken" >&2; exit 3']}
	Y
	run limit bash -o pipefail -c 'exec 2>&1; JOURNAL_STREAM=$(stat -L -c "%d:%i" /proc/self/fd/2) exec weir-run "$1"' sh "$T/p.yaml"
	[ "$status" -eq 3 ]
	[[ "$output" == *"<3>bad: error: broken"* ]]
	[[ "$output" == *"<3>weir-run: stage 'bad' exited with status 3"* ]]
}

@test "after a restart, the old stop deadline does not kill the new run" {
	cat > "$T/p.yaml" <<-'Y'
	restart: {backoff: 50ms}
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 200}
	  - {name: mid, run: weir-source}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run --stop-timeout 400ms --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	wait_for sh -c "[ \"\$(weir-run --status 127.0.0.1:$PORT | awk '\$1 == \"mid\" { print \$2 }')\" -gt 0 ]"
	kill -9 "$(stage_pid mid)"
	wait_for grep -q "restarting the pipeline" "$T/err"
	sleep 1
	! grep -q "did not stop" "$T/err" || false
	[ "$(grep -c "restarting the pipeline" "$T/err")" -eq 1 ]
	run weir-run --status "127.0.0.1:$PORT"
	[[ "$output" == *"mid "*"running"* ]]
}

@test "counters of a burst are reported while the stage waits for more" {
	cat > "$T/p.yaml" <<-'Y'
	name: burst
	stages:
	  - {name: src, run: [sh, -c, 'weir-source --gen clicks --count 500 | weir-sink -f ndjson; exec sleep 30']}
	  - {name: mid, run: weir-source}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	# mid read 500 records at once and now blocks: its count must arrive
	wait_for sh -c "curl -sf 127.0.0.1:$PORT/metrics | grep -qx 'weir_records_in_total{pipeline=\"burst\",stage=\"mid\"} 500'"
	wait_for sh -c "curl -sf 127.0.0.1:$PORT/metrics | grep -qx 'weir_records_out_total{pipeline=\"burst\",stage=\"mid\"} 500'"
}

@test "a second signal stops at once and names what it kills" {
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 100}
	  - {name: stubborn, run: [sh, -c, 'trap "" TERM; cat >/dev/null; sleep 30']}
	Y
	start_run --stop-timeout 20s "$T/p.yaml"
	sleep 0.5
	kill -TERM "$RUN_PID"
	wait_for grep -q "stopping: sources first" "$T/err"
	kill -INT "$RUN_PID"
	status=0
	wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 3 ]
	grep -q "second signal: killing stage 'stubborn'" "$T/err"
}

@test "killing a pipeline kills what its stages started, too" {
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 100}
	  - {name: parent, run: [sh, -c, 'trap "" TERM; sleep 31 & echo \$! > $T/child; cat >/dev/null; wait']}
	Y
	start_run --stop-timeout 200ms "$T/p.yaml"
	wait_for test -s "$T/child"
	kill -TERM "$RUN_PID"
	status=0
	wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 3 ]
	# gone, or a zombie waiting for whoever inherited it
	wait_for sh -c "! ps -o stat= -p $(cat "$T/child") | grep -qv Z"
}

@test "stdout: none sends a stage's output to /dev/null; two stdout writers do not run" {
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: [sh, -c, 'echo one; echo two']}
	  - {name: keep, run: [sh, -c, 'cat; echo kept']}
	  - {name: drop, input: src, stdout: none, run: [sh, -c, 'cat; echo dropped']}
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = $'one\ntwo\nkept' ]
	run weir-run --dot "$T/p.yaml"
	[[ "$output" == *'"keep" -> stdout;'* ]]
	[[ "$output" != *'"drop" -> stdout;'* ]]
	# without stdout: none, weir-run refuses to start (exit 2)
	sed -i 's/ stdout: none,//' "$T/p.yaml"
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"stage 'keep': nothing reads its output"* ]]
	[[ "$output" != *kept* ]]
}
