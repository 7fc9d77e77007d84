#!/usr/bin/env bats
# --on-error kafka:TOPIC: bad records go to a dead-letter topic, raw, with
# headers naming where they came from and why; counted; delivered before
# exit, or exit 3.
load helpers
load run_helpers
load kafka_helpers	# its teardown: KILL_PIDS, then the broker

@test "weir-source -b: bad messages go to the dead-letter topic with their position" {
	broker_start --topic in:1 --topic dlq:1
	printf '%s\n' 'k1:{"user":1}' 'k2:not json' 'k3:{"other":2}' \
	    'k4:{"user":4}' | kcat -b "$B" -P -t in -K:
	run limit bash -o pipefail -c "weir-source -b '$B' -t in -e -k .user \
	    --on-error kafka:dlq 2> '$T/err' | weir-sink -f lines"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"user":1}' ]
	[ "${lines[1]}" = '{"user":4}' ]
	[ "${#lines[@]}" -eq 2 ]
	grep -q "skipped 2 bad records, written to kafka:dlq" "$T/err"
	kcatc -t dlq -e -q -f '%k|%s|%h\n' > "$T/dlq"
	[ "$(wc -l < "$T/dlq")" -eq 2 ]
	grep -qx 'k2|not json|weir.error=in \[0\] offset 1: value is not JSON, cannot read .user,weir.program=weir-source,weir.source.topic=in,weir.source.partition=0,weir.source.offset=1' "$T/dlq"
	grep -qx 'k3|{"other":2}|weir.error=in \[0\] offset 2: no key field .user,weir.program=weir-source,weir.source.topic=in,weir.source.partition=0,weir.source.offset=2' "$T/dlq"
}

@test "any program: kafka:HOST:PORT/TOPIC without -b; raw bytes kept" {
	broker_start --topic dlq:1
	printf '%s\n' '{"a":1}' '{bad' '{"a":2}' $'\xff\xfe' > "$T/in"
	run limit bash -o pipefail -c "weir-filter '.a > 0' --on-error 'kafka:$B/dlq' \
	    < '$T/in' 2> '$T/err' | weir-sink -f lines"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"a":1}' ]
	[ "${lines[1]}" = '{"a":2}' ]
	kcatc -t dlq -e -q -f '%h\n' > "$T/h"
	[ "$(wc -l < "$T/h")" -eq 2 ]
	grep -q '^weir.error=.*,weir.program=weir-filter$' "$T/h"
	! grep -q 'weir.source' "$T/h" || false
	# the values are the bad lines, byte for byte
	kcatc -t dlq -e -q -D '|' > "$T/v"
	printf '{bad|\xff\xfe|' | cmp - "$T/v"
	# kafka:TOPIC needs brokers from somewhere
	run weir-filter '.a > 0' --on-error kafka:dlq < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"no brokers"* ]]
	# brokers that cannot be reached: exit 3 before any input
	run limit weir-filter '.a > 0' --on-error "kafka:127.0.0.1:1/dlq" < "$T/in"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot reach Kafka"* ]]
}

@test "a dead letter that cannot be delivered is exit 3" {
	broker_start --topic dlq:1 --fail-produce 1000
	printf '%s\n' '{"a":1}' '{bad' > "$T/in"
	run limit weir-filter '.a > 0' --on-error "kafka:$B/dlq" < "$T/in"
	[ "$status" -eq 3 ]
	[[ "$output" == *"kafka:dlq: message to dlq [0] not delivered"* ]]
	[ "$(grep -c 'not delivered' <<< "$output")" -eq 1 ]
	# weir-sink -b: its own topic and the dead letters share the brokers
	run limit weir-sink -b "$B" -t dlq --on-error kafka:dlq < "$T/in"
	[ "$status" -eq 3 ]
}

@test "dead letters are counted: stats datagram and weir-run /metrics" {
	broker_start --topic dlq:1
	{ printf '%s\n' '{bad' 'worse'; seq 1 40 | sed 's/.*/{"a":&}/'; } > "$T/in"
	run python3 "$BATS_TEST_DIRNAME/statsrx.py" weir-source \
	    --on-error "kafka:$B/dlq" "$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *" skipped=2 dlq=2 "* || "$output" == *" skipped=2 dlq=2" ]]
	cat > "$T/p.yaml" <<-Y
	name: d
	stages:
	  - {name: src, run: [weir-source, --rate, "4", --on-error, "kafka:$B/dlq", $T/in]}
	  - {name: out, run: [weir-sink, -o, $T/out]}
	Y
	limit weir-run --metrics 127.0.0.1:0 "$T/p.yaml" 2> "$T/err" &
	KILL_PIDS=$!
	wait_for metrics_port
	got() { curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/m" &&
	    grep -q '^weir_dead_letter_records_total{pipeline="d",stage="src"} 2$' "$T/m"; } 
	wait_for got || true
	kill "$KILL_PIDS" 2> /dev/null || true
	grep -q '^weir_dead_letter_records_total{pipeline="d",stage="src"} 2$' "$T/m"
	grep -q '^# TYPE weir_dead_letter_records_total counter' "$T/m"
	[ "$(kcatc -t dlq -e -q | wc -l)" -eq 4 ]
}

@test "a program that dies still delivers the dead letters it sent" {
	broker_start --topic dlq:1
	printf '%s\n' '{"a":1}' '{bad' > "$T/in"
	# the second file does not exist: exit 3 after the bad line was sent
	run limit weir-source --on-error "kafka:$B/dlq" "$T/in" "$T/nosuch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"nosuch"* ]]
	[ "$(kcatc -t dlq -e -q)" = '{bad' ]
}
