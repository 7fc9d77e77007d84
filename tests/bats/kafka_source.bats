#!/usr/bin/env bats
# weir-source -b: messages kcat produced come out complete and byte-exact.
load helpers
load kafka_helpers

# One partition so the order is fixed: keys, duplicate headers, a
# tombstone, an empty value, a binary value, a plain keyless message.
produce_mix() {
	printf 'k1:{"a":1}\n' | kcat -b "$B" -P -t t -K: -H h=1 -H h=2 -H x=y
	printf 'k2:\n' | kcat -b "$B" -P -t t -K: -Z
	printf 'k3:\n' | kcat -b "$B" -P -t t -K:
	printf '\000\001\377\376' > "$T/bin"
	kcat -b "$B" -P -t t "$T/bin"
	printf 'plain' | kcat -b "$B" -P -t t -D '\n'
}

@test "kcat's keys, duplicate headers, null, empty and binary values arrive byte-exact" {
	broker_start --topic t:1
	produce_mix
	limit weir-source -b "$B" -t t -e | weir-sink -f envelope > "$T/env"
	jq -c 'del(.ts)' "$T/env" > "$T/got"
	cat > "$T/want" <<'W'
{"topic":"t","partition":0,"offset":0,"key":"k1","headers":[["h","1"],["h","2"],["x","y"]],"value":{"a":1}}
{"topic":"t","partition":0,"offset":1,"key":"k2","value":null}
{"topic":"t","partition":0,"offset":2,"key":"k3","value":""}
{"topic":"t","partition":0,"offset":3,"value_base64":"AAH//g=="}
{"topic":"t","partition":0,"offset":4,"value":"plain"}
W
	diff "$T/want" "$T/got"
	# the Kafka timestamp is the event time
	jq '.ts' "$T/env" > "$T/ts"
	kcatc -t t -e -q -f '%T\n' | diff - "$T/ts"
	# raw bytes of the binary message
	limit weir-source -b "$B" -t t -o 3 -c 1 | weir-sink -f raw | cmp - "$T/bin"
}

@test "topic to topic through weir is byte-exact as kcat reads it back" {
	broker_start --topic t:1 --topic u:1
	produce_mix
	limit weir-source -b "$B" -t t -e | limit weir-sink -b "$B" -t u
	kcat_dump t > "$T/t"
	kcat_dump u > "$T/u"
	cmp "$T/t" "$T/u"
	[ "$(wc -l < "$T/u")" -eq 5 ]
	kcatc -t t -e -q -f '%T\n' > "$T/tt"
	kcatc -t u -e -q -f '%T\n' | diff "$T/tt" -
}

@test "-e stops at the end read at start, on every partition" {
	broker_start --topic t:3 --topic e:2
	seq 1 30 | kcat -b "$B" -P -t t
	run limit weir-source -b "$B" -t t -e
	[ "$status" -eq 0 ]
	limit weir-source -b "$B" -t t -e | weir-sink -f lines | sort -n > "$T/got"
	seq 1 30 | diff - "$T/got"
	# an empty topic ends at once
	run limit weir-source -b "$B" -t e -e
	[ "$status" -eq 0 ]
}

@test "-p and -o: partition, absolute, last N, end, s@MS and e@MS" {
	broker_start --topic t:2
	for i in 1 2 3 4 5; do
		printf '{"ts":%d000,"value":%d}\n' "$i" "$i"
	done | weir-source -f envelope | limit weir-sink -b "$B" -t t -p 1
	src() { limit weir-source -b "$B" -t t -e "$@" | weir-sink -f lines | tr '\n' ' '; }
	[ "$(src -p 1)" = "1 2 3 4 5 " ]
	[ "$(src -p 0)" = "" ]
	[ "$(src -p 1 -o 3)" = "4 5 " ]
	[ "$(src -o -2)" = "4 5 " ]
	[ "$(src -o end)" = "" ]
	[ "$(src -o s@3000)" = "3 4 5 " ]
	[ "$(src -o e@3000)" = "1 2 " ]
	# e@MS stops by itself, without -e (an empty partition would wait)
	limit weir-source -b "$B" -t t -p 1 -o e@2000 > "$T/out"
	run weir-source -b "$B" -t t -o soon
	[ "$status" -eq 2 ]
	[[ "$output" == *"-o soon"* ]]
}

@test "--key and --time override key and event time from the JSON value" {
	broker_start --topic t:1
	printf '{"u":"ann","t":42}\n' | kcat -b "$B" -P -t t
	printf 'k:{"u":"bob","t":43}\n' | kcat -b "$B" -P -t t -K:
	limit weir-source -b "$B" -t t -e --key .u --time .t | weir-sink -f envelope |
	    jq -c '[.key, .ts]' > "$T/got"
	printf '["ann",42]\n["bob",43]\n' | diff - "$T/got"
}

@test "-L lists brokers, topics and partitions" {
	broker_start --topic clicks:3 --brokers 2
	run limit weir-source -b "$B" -L
	[ "$status" -eq 0 ]
	[[ "$output" == *" 2 brokers:"* ]]
	[[ "$output" == *'topic "clicks" with 3 partitions:'* ]]
	run limit weir-source -b "$B" -L -t nope
	[ "$status" -eq 3 ]
}

@test "-X prop=value and -X @FILE; a bad property is a usage error" {
	broker_start --topic t:1
	echo hi | kcat -b "$B" -P -t t
	printf '# client settings\n\nclient.id = weir-test\nfetch.wait.max.ms=10\n' > "$T/props"
	run limit weir-source -b "$B" -t t -e -X @"$T/props" -X check.crcs=true
	[ "$status" -eq 0 ]
	run weir-source -b "$B" -t t -e -X no.such.prop=1
	[ "$status" -eq 2 ]
	[[ "$output" == *"no.such.prop"* ]]
	printf 'client.id\n' > "$T/bad"
	run weir-source -b "$B" -t t -e -X @"$T/bad"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad:1:"* ]]
}

@test "unreachable broker: a clear message and exit 3 within -m" {
	start=$(date +%s)
	run limit weir-source -b 127.0.0.1:1 -t t -e -m 1
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot reach Kafka at 127.0.0.1:1 within 1 s"* ]]
	[ $(( $(date +%s) - start )) -le 5 ]
}

@test "unknown topic: exit 3, never a hang or exit 0" {
	broker_start --topic t:1
	run limit weir-source -b "$B" -t nope -e
	[ "$status" -eq 3 ]
	[[ "$output" == *"topic nope does not exist"* ]]
	run limit weir-source -b "$B" -t t -p 7 -e
	[ "$status" -eq 3 ]
	run limit weir-source -b "$B" -G g nope
	[ "$status" -eq 3 ]
}

@test "Kafka options need -b, and -G takes topics as arguments" {
	run weir-source -t x
	[ "$status" -eq 2 ]
	run weir-source -b 127.0.0.1:1 -t x extra
	[ "$status" -eq 2 ]
	run weir-source -b 127.0.0.1:1 -G g -o -5 x
	[ "$status" -eq 2 ]
}

@test "watermarks per partition, combined by min; --idle stops a quiet one holding back" {
	broker_start --topic w:2
	printf '{"ts":%d,"value":1}\n' 1000 2500 5000 | weir-source -f envelope |
	    limit weir-sink -b "$B" -t w -p 0
	printf '{"ts":1500,"value":1}\n' | weir-source -f envelope |
	    limit weir-sink -b "$B" -t w -p 1
	for idle in "" "--idle 1s"; do
		setsid sh -c "trap : TERM; weir-source -b '$B' -t w --max-delay 0 $idle |
		    weir-window tumbling 1s | weir-agg count |
		    weir-sink -f ndjson > '$T/out$idle'" &
		pg=$!
		KILL_PIDS="-$pg"
		if [ -n "$idle" ]; then
			# until the two windows the quiet partition held back
			# come out (bounded: a loaded machine starts slowly)
			i=0
			while [ "$(wc -l < "$T/out$idle" 2>/dev/null || echo 0)" -lt 2 ] &&
			    [ $i -lt 150 ]; do
				sleep 0.2; i=$((i + 1))
			done
		else
			sleep 2.5
		fi
		jq -c '[.window_start, .count]' "$T/out$idle" | tr -d '\n' > "$T/early$idle"
		kill -TERM -- "-$pg"
		wait "$pg"
		jq -c '[.window_start, .count]' "$T/out$idle" | tr -d '\n' > "$T/end$idle"
	done
	# partition 1 holds the watermark at 1500: no window closed yet
	[ "$(cat "$T/early")" = "" ]
	# quiet partitions do not hold it back: [1000,2000) and [2000,3000)
	[ "$(cat "$T/early--idle 1s")" = "[1000,2][2000,1]" ]
	# END closes the rest either way
	[ "$(cat "$T/end")" = "[1000,2][2000,1][5000,1]" ]
	[ "$(cat "$T/end--idle 1s")" = "[1000,2][2000,1][5000,1]" ]
}
