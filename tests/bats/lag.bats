#!/usr/bin/env bats
# weir-source -b B -L -G GROUP: the group's committed offset, the end
# offset and the lag of each partition (kafka-consumer-groups --describe).
load helpers
load run_helpers
load kafka_helpers	# its teardown: KILL_PIDS, then the broker

@test "-L -G lists committed, end and lag per partition; -J and -f ndjson as JSON" {
	broker_start --topic t:2 --topic u:2 --topic never:1
	seq 1 30 | kcat -b "$B" -P -t t -p 0
	seq 1 10 | kcat -b "$B" -P -t t -p 1
	seq 1 5 | kcat -b "$B" -P -t u -p 0
	# the group commits 25 of partition 0 and 4 of partition 1
	limit weir-source -b "$B" -t t -p 0 -X group.id=g -c 25 | weir-sink -f lines > "$T/1"
	limit weir-source -b "$B" -t t -p 1 -X group.id=g -c 4 | weir-sink -f lines >> "$T/1"
	[ "$(wc -l < "$T/1")" -eq 29 ]
	run limit weir-source -b "$B" -L -G g
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$T/list"
	# the header, then one line per partition of the topics the group
	# committed in (not u, not never)
	printf '%-5s %9s %9s %9s %9s\n' TOPIC PARTITION COMMITTED END LAG \
	    t 0 25 30 5 t 1 4 10 6 | diff - "$T/list"
	# JSON: the same rows
	limit weir-source -b "$B" -L -G g -J > "$T/json"
	jq -r '[.topic, .partition, .committed, .end, .lag] | @tsv' "$T/json" |
	    tr '\t' ' ' > "$T/j"
	awk 'NR > 1 { print $1, $2, $3, $4, $5 }' "$T/list" | diff - "$T/j"
	limit weir-source -b "$B" -L -G g -f ndjson | diff "$T/json" -
	# a named topic the group never read: no committed offset, no lag
	run limit weir-source -b "$B" -L -G g -t u
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(printf '%-5s %9d %9s %9d %9s' u 0 - 5 -)" ]
	[ "${lines[2]}" = "$(printf '%-5s %9d %9s %9d %9s' u 1 - 0 -)" ]
	limit weir-source -b "$B" -L -G g -J -t u | head -1 |
	    grep -qx '{"topic":"u","partition":0,"committed":null,"end":5,"lag":null}'
	# read to the end: no lag left
	limit weir-source -b "$B" -G g $GROUPX -e t | weir-sink -f lines > "$T/2"
	[ "$(cat "$T/1" "$T/2" | wc -l)" -eq 40 ]	# it started there
	limit weir-source -b "$B" -L -G g -J | jq -e -s \
	    'length == 2 and all(.lag == 0 and .committed == .end)'
}

@test "-L -G: an unknown topic is exit 3; -J without -L is kcat's message JSON" {
	broker_start --topic t:1
	run limit weir-source -b "$B" -L -G g -t nosuch
	[ "$status" -eq 3 ]
	[[ "$output" == *"topic nosuch does not exist"* ]]
	echo '{"a":1}' | kcat -b "$B" -P -t t
	run limit weir-source -b "$B" -t t -e -J
	[ "$status" -eq 0 ]
	[[ "$output" == '{"topic":"t","partition":0,"offset":0,'* ]]
	# a group with no offsets at all: only the header
	run limit weir-source -b "$B" -L -G nobody
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "weir-run /metrics: a paced consumer's lag per topic and partition, falling" {
	broker_start --topic lag:2
	seq 1 300 | kcat -b "$B" -P -t lag -p 0
	seq 1 100 | kcat -b "$B" -P -t lag -p 1
	cat > "$T/p.yaml" <<-Y
	name: k
	stages:
	  - {name: src, run: [weir-source, -b, "$B", -t, lag, --rate, "40"]}
	  - {name: out, run: [weir-sink, -f, lines, -a, -o, $T/out]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	KILL_PIDS="$RUN_PID $GUARD_PID"
	wait_for metrics_port
	# lag of each partition: between 0 and what it holds, and the sum
	# is their total
	lagged() {
		curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/m" &&
		    awk '/^weir_kafka_lag\{pipeline="k",stage="src",topic="lag",partition="[01]"\} / {
			    split($1, a, "partition=\""); p = substr(a[2], 1, 1)
			    l[p] = $2 }
			/^weir_kafka_lag_sum\{pipeline="k",stage="src"\} / { s = $2 }
			END { exit !((0 in l) && (1 in l) && l[0] + l[1] > 0 &&
			    l[0] <= 300 && l[1] <= 100 && s == l[0] + l[1]) }' "$T/m"
	}
	wait_for lagged
	first=$(awk '/^weir_kafka_lag_sum/ { print $2 }' "$T/m")
	# paced at 40 records/s, the lag falls (stages report about once a
	# second, and a slow machine may take a few of those)
	fell() {
		lagged && [ "$(awk '/^weir_kafka_lag_sum/ { print $2 }' \
		    "$T/m")" -lt "$first" ]
	}
	wait_for fell
	{ kill -9 "$RUN_PID" && wait "$RUN_PID"; } 2> /dev/null || true
}
