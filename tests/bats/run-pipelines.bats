#!/usr/bin/env bats
# The pipelines in pipelines/, and weir-run with the programs other than
# weir-source and weir-sink.  Each test skips, saying why, while a program
# it needs is not built yet.

load helpers

REPO="$BATS_TEST_DIRNAME/../.."

needs() {
	local p
	for p in "$@"; do
		[ -x "$WEIR_BIN/$p" ] || skip "$p is not built yet"
	done
}

@test "every pipelines/*.yaml passes weir-run --check" {
	local f n=0
	for f in "$REPO"/pipelines/*.yaml; do
		n=$((n + 1))
		run weir-run --check "$f"
		if [ "$status" -ne 0 ]; then
			# only missing programs may fail it, and only while unbuilt
			grep -v "program 'weir-[a-z]*' not found beside weir-run" <<< "$output" && false
			while read -r p; do
				case $p in weir-*) [ -x "$WEIR_BIN/$p" ] && false ;; esac
			done < <(sed -n "s/.*program '\(weir-[a-z]*\)' not found.*/\1/p" <<< "$output")
			skipped="$skipped $(basename "$f")"
		fi
	done
	[ "$n" -ge 5 ]
	[ -z "${skipped:-}" ] || skip "programs not built yet for:$skipped"
}

@test "pipelines/weir@.service: notify, watchdog, restart policy, sandbox" {
	f="$REPO/pipelines/weir@.service"
	grep -qx "Type=notify" "$f"
	grep -q "^WatchdogSec=" "$f"
	grep -qx "Restart=on-failure" "$f"
	grep -qx "RestartPreventExitStatus=2" "$f"
	grep -qx "KillMode=mixed" "$f"
	grep -qx "ProtectSystem=strict" "$f"
	grep -qx "NoNewPrivileges=yes" "$f"
	if command -v systemd-analyze > /dev/null; then
		run systemd-analyze verify --man=no "$f"
		# only the not-yet-installed binary may be missing
		! grep -v "/usr/local/bin/weir-run is not executable" <<< "$output" | grep . || false
	fi
}

@test "clicks-demo.yaml: the same windows as the shell pipe" {
	needs weir-window weir-agg
	cd "$REPO"
	COUNT=50000 FORMAT=csv limit weir-run pipelines/clicks-demo.yaml > "$T/got"
	weir-source --gen clicks --count 50000 --max-delay 2s |
	    weir-window tumbling 1m |
	    weir-agg -g .user clicks=count spent=sum:.amount |
	    weir-sink -f csv > "$T/want"
	[ "$(wc -l < "$T/got")" -gt 1000 ]
	cmp "$T/got" "$T/want"
}

@test "SIGTERM mid-stream: every window is flushed, nothing is lost" {
	needs weir-window weir-agg
	cat > "$T/p.yaml" <<-Y
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 3000 --max-delay 2500ms}
	  - {name: win, run: weir-window tumbling 200ms}
	  - {name: agg, run: weir-agg n=count}
	  - {name: out, run: [weir-sink, -f, csv, --fields, 'window_start,n', -o, $T/windows]}
	  - {name: raw, input: src, stdout: none, run: [weir-sink, -f, ndjson, -o, $T/raw]}
	Y
	weir-run "$T/p.yaml" 2> "$T/err" 3>&- &
	pid=$!
	sleep 1.5
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	raw=$(wc -l < "$T/raw")
	[ "$raw" -gt 1000 ]
	# every record the source wrote is counted in some window (clicks are
	# at most 2 s late: none is dropped; the open windows close at END)
	sum=$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$T/windows")
	[ "$sum" -eq "$raw" ]
}

@test "enrich-clicks.yaml: fan-in join, the same as joining by hand" {
	needs weir-join
	cd "$REPO"
	COUNT=3000 limit weir-run pipelines/enrich-clicks.yaml > "$T/got"
	weir-source --gen clicks --count 3000 |
	    weir-join --table pipelines/data/users.ndjson --on .user=.id \
	        --type left --prefix user_ | weir-sink -f ndjson > "$T/want"
	[ "$(wc -l < "$T/got")" -eq 3000 ]
	cmp "$T/got" "$T/want"
	grep -q '"user_tier"' "$T/got"
}

@test "orders-quality-gate.yaml: weir-run exits with weir-check's status" {
	needs weir-check
	cd "$REPO"
	printf '%s\n' \
	    '{"order_id":1,"status":"paid","amount":10,"currency":"EUR","email":"a@b.c","ts":1}' \
	    '{"order_id":2,"status":"paid","amount":5,"currency":"EUR","email":"a@b.c","ts":1}' \
	    > "$T/good.ndjson"
	INPUT=$T/good.ndjson REPORT=$T/good.xml OUTPUT=$T/kept limit \
	    weir-run pipelines/orders-quality-gate.yaml
	[ "$(wc -l < "$T/kept")" -eq 2 ]
	grep -q "<testsuite" "$T/good.xml"
	printf '%s\n' '{"order_id":1,"status":"lost","amount":10,"currency":"EUR","ts":1}' > "$T/bad.ndjson"
	INPUT="$T/bad.ndjson" REPORT="$T/bad.xml" run limit \
	    weir-run pipelines/orders-quality-gate.yaml
	[ "$status" -eq 1 ]
	grep -q "<failure" "$T/bad.xml"
}

@test "clicks-archive.yaml: fan-out through a tee, archive equals the source" {
	needs weir-window weir-agg
	cd "$T"
	COUNT=20000 limit weir-run "$REPO/pipelines/clicks-archive.yaml" > counts
	weir-source --gen clicks --count 20000 --max-delay 2s |
	    weir-sink -f framed | cmp - clicks.wf
	[ "$(jq -s 'map(.count) | add' counts)" -eq 20000 ]
}

@test "a tee's outputs get every byte: a slow reader, a fast one, one that leaves early" {
	cd "$T"
	cat > slow.py <<'PY'
import os, sys, time
out = open(sys.argv[1], "wb")
while True:
    b = os.read(0, 3000)
    if not b:
        break
    out.write(b)
    time.sleep(0.0002)
PY
	cat > fan.yaml <<YAML
name: fan
restart: {policy: never}
stages:
  - {name: src, run: "weir-source --gen clicks --count 300000 --max-delay 2s"}
  - {name: fast, stdout: none, run: [weir-sink, -f, framed, -o, fast.wf]}
  - {name: slow, input: src, stdout: none, run: [python3, $T/slow.py, slow.wf]}
  - {name: early, input: src, stdout: none, run: [sh, -c, "head -c 100000 > early.wf"]}
  - {name: mid, input: src, stdout: none, run: [sh, -c, "sleep 1; exec cat > mid.wf"]}
YAML
	limit weir-run fan.yaml
	weir-source --gen clicks --count 300000 --max-delay 2s |
	    weir-sink -f framed > want.wf
	[ "$(wc -c < want.wf)" -gt 10000000 ]
	cmp want.wf fast.wf
	cmp want.wf slow.wf
	cmp want.wf mid.wf
	[ "$(wc -c < early.wf)" -eq 100000 ]
	cmp -n 100000 want.wf early.wf
}

# poll (up to WAIT tenths of a second, default 10 s) until CMD succeeds
wait_for() {
	local i
	for i in $(seq "${WAIT:-100}"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

@test "clicks-per-minute.yaml: Kafka -> window -> agg -> Kafka, drained on SIGTERM" {
	needs weir-broker weir-window weir-agg
	weir-source --help | grep -q -- '-b BROKERS' ||
	    skip "weir-source has no Kafka side yet"
	command -v kcat > /dev/null || skip "kcat is not installed"
	weir-broker --topic clicks:2 --topic clicks_per_minute:1 > "$T/broker" 3>&- &
	bp=$!
	wait_for test -s "$T/broker"
	B=$(head -1 "$T/broker")
	limit bash -o pipefail -c "weir-source --gen clicks --count 20000 |
	    weir-sink -b '$B' -t clicks -K .user"
	STATE_DIR=$T/state BROKERS=$B GROUP=cpm-test weir-run --metrics 127.0.0.1:0 \
	    "$REPO/pipelines/clicks-per-minute.yaml" 2> "$T/err" 3>&- &
	rp=$!
	wait_for grep -q "metrics on port" "$T/err"
	port=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$T/err")
	# weir-run(1) EXAMPLES: the status table and a scrape
	WAIT=300 wait_for sh -c "[ \"\$(curl -sf localhost:$port/metrics | awk '/^weir_records_out_total\\{.*stage=\"src\"\\}/ { print \$2 }')\" = 20000 ]"
	run weir-run --status "$port"
	[[ "$output" == *"src "*"running"* ]]
	kill -TERM "$rp"
	status=0
	wait "$rp" || status=$?
	kcat -C -b "$B" -t clicks_per_minute -e -q -f '%s\n' > "$T/out"
	kill "$bp"
	wait "$bp" || true
	[ "$status" -eq 0 ]
	# every click is counted once, in some user's minute
	[ "$(jq -s 'map(.count) | add' "$T/out")" -eq 20000 ]
	[ "$(jq -s 'map(.sum_amount) | add | . * 100 | round' "$T/out")" -eq \
	  "$(weir-source --gen clicks --count 20000 | weir-sink | jq -s 'map(.amount) | add | . * 100 | round')" ]
}

@test "weir-run(1) EXAMPLES: --check, --dot, a misspelt key" {
	cd "$T"
	cat > broken.yaml <<-'Y'
	name: broken
	stages:
	  - name: src
	    run: weir-source --gen clicks
	    inptus: {3: src}
	Y
	run weir-run --check broken.yaml
	[ "$status" -eq 2 ]
	[ "$output" = "broken.yaml:5:5: unknown key 'inptus' in stage 'src'; did you mean 'inputs'?" ]
	needs weir-window weir-agg
	cd "$REPO"
	run weir-run --check pipelines/clicks-demo.yaml
	[ "$status" -eq 0 ]
	[ "$output" = "pipelines/clicks-demo.yaml: ok (4 stages)" ]
	if command -v dot > /dev/null; then
		weir-run --dot pipelines/clicks-demo.yaml | dot -Tsvg > "$T/demo.svg"
	else
		weir-run --dot pipelines/clicks-demo.yaml | grep -q '^digraph "clicks-demo"'
	fi
}

@test "weir-pipeline(5) SYNOPSIS passes --check" {
	needs weir-window weir-agg weir-join
	cd "$T"
	# the SYNOPSIS, as the man page shows it
	sed -n '/^\.Sh SYNOPSIS/,/^\.Ed/p' "$REPO/man/weir-pipeline.5" |
	    sed '1,2d;$d' > synopsis.yaml
	touch users.ndjson
	run weir-run --check synopsis.yaml
	[ "$status" -eq 0 ]
	run weir-run --dot synopsis.yaml
	[[ "$output" == *'"users" -> "enrich" [label="fd 3"];'* ]]
	[[ "$output" == *'"agg" -> "enrich";'* ]]
}
