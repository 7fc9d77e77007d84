#!/usr/bin/env bats
# The Kafka examples of weir-broker(1), weir-source(1) and weir-sink(1),
# run against weir-broker (localhost:9092 in the pages is $B here).
load helpers
load kafka_helpers

@test "weir-broker(1): start, produce, consume, list, stop" {
	cd "$T"
	weir-broker --topic clicks:4 > broker.addr &
	pid=$!
	KILL_PIDS=$pid
	for i in $(seq 100); do [ -s broker.addr ] && break; sleep 0.05; done
	B=$(head -1 broker.addr)
	[[ "$B" == 127.0.0.1:* ]]	# loopback only
	weir-source --gen clicks --count 1000 | limit weir-sink -b "$B" -t clicks
	limit weir-source -b "$B" -t clicks -e | weir-sink -f table > out
	[ "$(wc -l < out)" -eq 1001 ]
	limit kcat -b "$B" -L | grep -q 'topic "clicks" with 4 partitions'
	kill "$pid"
	wait "$pid"
}

@test "weir-source(1) Kafka examples" {
	broker_start --topic clicks:2
	weir-source --gen clicks --count 100 | limit weir-sink -b "$B" -t clicks -K .user
	limit weir-source -b "$B" -t clicks -e | weir-sink -f envelope > "$T/env"
	[ "$(jq -r .topic "$T/env" | sort -u)" = clicks ]
	[ "$(wc -l < "$T/env")" -eq 100 ]
	limit weir-source -b "$B" -t clicks -p 0 -o -10 -e | weir-sink > "$T/last"
	[ "$(wc -l < "$T/last")" -eq 10 ]
	printf 'client.id=weir-example\n' > "$T/client.properties"
	limit weir-source -b "$B" -X @"$T/client.properties" -G cpm $GROUPX \
	    --time .ts --max-delay 5s --idle 1m -e clicks |
	    weir-window tumbling 1m | weir-sink -f envelope > "$T/win"
	[ "$(wc -l < "$T/win")" -eq 100 ]
	jq -e '.window' "$T/win" > /dev/null
	limit weir-source -b "$B" -L | grep -q 'topic "clicks" with 2 partitions'
}

@test "weir-sink(1) Kafka examples" {
	broker_start --topic clicks:3 --topic clicks-copy:3
	weir-source --gen clicks --count 1000 |
	    limit weir-sink -b "$B" -t clicks -K .user
	limit weir-source -b "$B" -t clicks -e |
	    limit weir-sink -b "$B" -t clicks-copy
	kcatc -t clicks -e -q -f '%p %k %T %s\n' | sort > "$T/a"
	kcatc -t clicks-copy -e -q -f '%p %k %T %s\n' | sort > "$T/b"
	[ "$(wc -l < "$T/a")" -eq 1000 ]
	cmp "$T/a" "$T/b"
}
