#!/usr/bin/env bats
# weir-run operations: build info, watermark lag and Kafka lag per
# partition on /metrics; reload on SIGHUP; what systemd is told
# (STOPPING=1 once, STATUS= with the source rate and watermark lag);
# make install.

load helpers
load run_helpers

@test "metrics: weir_build_info and a watermark lag gauge per stage" {
	cat > "$T/p.yaml" <<-'Y'
	name: ops
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000 --max-delay 1s}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	sleep 1.5
	run curl -sf "http://127.0.0.1:$PORT/metrics"
	[ "$status" -eq 0 ]
	v=$(weir-run --version | awk '{ print $NF }')
	[[ "$output" == *'# TYPE weir_build_info gauge'* ]]
	grep -q "^weir_build_info{version=\"$v\",features=\"[a-z,]*kafka[a-z,]*\"} 1\$" <<< "$output"
	[[ "$output" == *'# TYPE weir_watermark_lag_seconds gauge'* ]]
	# the generator's event times are in the past: the lag is wall clock
	# minus the stage's watermark, so positive and below the age of the
	# earliest possible event time
	lag=$(awk '/^weir_watermark_lag_seconds\{pipeline="ops",stage="src"\}/ { print $2 }' <<< "$output")
	wm=$(awk '/^weir_watermark_seconds\{pipeline="ops",stage="src"\}/ { print $2 }' <<< "$output")
	now=$(date +%s)
	[ -n "$lag" ] && [ -n "$wm" ]
	awk -v l="$lag" -v w="$wm" -v n="$now" 'BEGIN { d = n - w - l; exit !(l > 0 && d > -5 && d < 5) }'
	grep -q '^weir_watermark_lag_seconds{pipeline="ops",stage="out"} ' <<< "$output"
}

@test "metrics: Kafka lag per topic and partition" {
	load kafka_helpers
	broker_start --topic lag:2
	KILL_PIDS=
	weir-source --gen clicks --count 300 | limit weir-sink -b "$B" -t lag -p 0
	weir-source --gen clicks --count 100 | limit weir-sink -b "$B" -t lag -p 1
	cat > "$T/p.yaml" <<-Y
	name: k
	stages:
	  - {name: src, run: [weir-source, -b, "$B", -t, lag, -o, beginning]}
	  - {name: out, run: [weir-sink, -a, -o, $T/out]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	KILL_PIDS="$RUN_PID $GUARD_PID"
	wait_for metrics_port
	got() { curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/m" &&
	    grep -q '^weir_kafka_lag{pipeline="k",stage="src",topic="lag",partition="0"} 0$' "$T/m" &&
	    grep -q '^weir_kafka_lag{pipeline="k",stage="src",topic="lag",partition="1"} 0$' "$T/m"; }
	wait_for got
	[ "$(wc -l < "$T/out")" -eq 400 ]
	grep -q '^# TYPE weir_kafka_lag gauge' "$T/m"
	grep -q '^weir_kafka_lag_sum{pipeline="k",stage="src"} 0$' "$T/m"
	{ kill -9 "$RUN_PID" && wait "$RUN_PID"; } 2> /dev/null || true
}

@test "Kafka lag: the high watermark minus the next offset, per partition" {
	load kafka_helpers
	broker_start --topic lag:2
	weir-source --gen clicks --count 300 | limit weir-sink -b "$B" -t lag -p 0
	weir-source --gen clicks --count 50 | limit weir-sink -b "$B" -t lag -p 1
	# -c 100 stops early: the last report has what is left unread
	run python3 "$BATS_TEST_DIRNAME/statsrx.py" weir-source -b "$B" -t lag \
	    -p 0 -o beginning -c 100
	[ "$status" -eq 0 ]
	[[ "$output" == *" lag=200 plag=0:200:lag" ]]
	run python3 "$BATS_TEST_DIRNAME/statsrx.py" weir-source -b "$B" -t lag \
	    -o beginning -e
	[ "$status" -eq 0 ]
	[[ "$output" == *" lag=0 plag="*":0:lag plag="*":0:lag" ]]
}

@test "systemd: STOPPING=1 is sent once" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" -a 1 "$T/notify" 10 "$T/got" 3>&- &
	LP_PID=$!
	wait_for test -S "$T/notify"
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	NOTIFY_SOCKET="$T/notify" start_run "$T/p.yaml"
	sleep 0.5
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 0 ]
	wait "$LP_PID"
	LP_PID=
	[ "$(grep -cx STOPPING=1 "$T/got")" -eq 1 ]
}

@test "systemd: STATUS= of a windowed pipeline shows the source rate and watermark lag" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" "$T/notify" 10 "$T/got" 3>&- &
	LP_PID=$!
	wait_for test -S "$T/notify"
	# hour windows: none closes while the test runs, so the sink reads
	# nothing
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000 --max-delay 1s}
	  - {name: win, run: weir-window tumbling 1h}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	NOTIFY_SOCKET="$T/notify" start_run "$T/p.yaml"
	# until a STATUS= with a rate came (not a fixed 2.5 s: under load the
	# first ones may still say 0 records/s)
	wait_for grep -q '^STATUS=running: [1-9][0-9]* records/s' "$T/got"
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	wait "$LP_PID"
	LP_PID=
	grep '^STATUS=running: ' "$T/got" > "$T/st"
	# a rate of about 1000/s, not 0
	grep -q '^STATUS=running: [1-9][0-9]* records/s, 0 restarts, watermark [0-9.]*[smhd]* behind' "$T/st"
}

# A paced pipeline writing to $T/out1 from $T/p.yaml, with metrics
# ($PORT); returns once it has written.
start_v1() {
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 500}
	  - {name: out, run: [weir-sink, -f, ndjson, -a, -o, $T/out1]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	wait_for test -s "$T/out1"
}

# SIGTERM weir-run: it must stop with status 0.
stop_ok() {
	kill -TERM "$RUN_PID"
	status=0; wait "$RUN_PID" || status=$?
	RUN_PID=
	[ "$status" -eq 0 ]
}

@test "SIGHUP reloads the pipeline file: drains the old one, starts the new" {
	python3 "$BATS_TEST_DIRNAME/notifylisten.py" "$T/notify" 20 "$T/got" 3>&- &
	LP_PID=$!
	wait_for test -S "$T/notify"
	NOTIFY_SOCKET="$T/notify" start_v1
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src2, run: weir-source --gen clicks --rate 500}
	  - {name: out2, run: [weir-sink, -f, ndjson, -a, -o, $T/out2]}
	Y
	kill -HUP "$RUN_PID"
	wait_for test -s "$T/out2"
	grep -q "reloading $T/p.yaml" "$T/err"
	# still running, with the new stages
	kill -0 "$RUN_PID"
	wait_for sh -c "weir-run --status 127.0.0.1:$PORT | grep -q '^out2 .*running'"
	# the old sink drained and ended: out1 no longer grows
	n=$(wc -l < "$T/out1")
	sleep 0.5
	[ "$(wc -l < "$T/out1")" -eq "$n" ]
	# the old pipeline ended cleanly (sources stopped, END drained)
	! grep -q "killed\|exited with status" "$T/err" || false
	stop_ok
	wait "$LP_PID"
	LP_PID=
	# systemd hears of the reload: READY=1, RELOADING=1, READY=1, STOPPING=1
	grep -x 'READY=1\|RELOADING=1\|STOPPING=1' "$T/got" | tr '\n' ' ' > "$T/seq"
	[ "$(cat "$T/seq")" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ]
}

@test "SIGHUP with an invalid file: FILE:LINE:COL logged, the old pipeline keeps running" {
	start_v1
	pid=$(stage_pid out)
	cat > "$T/p.yaml" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 500}
	  - {name: out, nosuchkey: 1, run: weir-sink}
	Y
	kill -HUP "$RUN_PID"
	wait_for grep -q "reload refused" "$T/err"
	grep -q "^$T/p.yaml:3:[0-9]*: " "$T/err"
	kill -0 "$RUN_PID"
	[ "$(stage_pid out)" = "$pid" ]
	n=$(wc -l < "$T/out1")
	wait_for sh -c "[ \$(wc -l < $T/out1) -gt $n ]"
	stop_ok
}

@test "the stages still stop on SIGHUP as documented (weir-source)" {
	weir-source --gen clicks --rate 100 > "$T/out" 2>&3 3>&- &
	p=$!
	sleep 0.3
	kill -HUP "$p"
	status=0; wait "$p" || status=$?
	[ "$status" -eq 0 ]
	weir-sink -f ndjson < "$T/out" > /dev/null
}

@test "make install: the unit with PREFIX substituted, completions in place" {
	cd "$BATS_TEST_DIRNAME/../.."
	limit make -s install DESTDIR="$T/d" PREFIX=/opt/w > /dev/null
	u="$T/d/opt/w/lib/systemd/system/weir@.service"
	[ -f "$u" ]
	grep -q '^ExecStart=/opt/w/bin/weir-run ' "$u"
	grep -q '^ExecStartPre=/opt/w/bin/weir-run --check ' "$u"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID' "$u"
	! grep -q '/usr/local' "$u" || false
	! grep -q '@PREFIX@\|@BINDIR@' "$u" || false
	[ -x "$T/d/opt/w/bin/weir-run" ]
	[ -s "$T/d/opt/w/share/bash-completion/completions/weir-source" ]
	[ -s "$T/d/opt/w/share/zsh/site-functions/_weir" ]
	[ -s "$T/d/opt/w/share/fish/vendor_completions.d/weir.fish" ]
	limit make -s uninstall DESTDIR="$T/d" PREFIX=/opt/w
	[ ! -e "$u" ]
	[ ! -e "$T/d/opt/w/share/fish/vendor_completions.d/weir.fish" ]
}
