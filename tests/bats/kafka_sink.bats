#!/usr/bin/env bats
# weir-sink -b: what it produces is what kcat reads; no delivery is silent.
load helpers
load kafka_helpers

@test "key, duplicate headers, event time and values reach kcat" {
	broker_start --topic t:1
	cat > "$T/env" <<'W'
{"ts":1700000000123,"key":"k1","headers":[["h","1"],["h","2"],["x","y"]],"value":{"a":1}}
{"ts":1700000000124,"key":"k2","value":null}
{"ts":1700000000125,"value":""}
{"ts":1700000000126,"value_base64":"AAH//g=="}
W
	weir-source -f envelope "$T/env" | limit weir-sink -b "$B" -t t
	kcatc -t t -e -q -f '%T %k %S [%h] %s\n' > "$T/got"
	printf '%s\n' '1700000000123 k1 7 [h=1,h=2,x=y] {"a":1}' \
	    '1700000000124 k2 -1 [] ' '1700000000125  0 [] ' > "$T/want"
	head -3 "$T/got" | diff "$T/want" -
	kcatc -t t -o 3 -e -q -D '' | cmp - <(printf '\000\001\377\376')
}

@test "-K PATH keys by a field; packed JSON is produced as JSON text" {
	broker_start --topic t:2
	weir-source --gen clicks --count 50 | limit weir-sink -b "$B" -t t -K .user
	weir-source --gen clicks --count 50 | weir-sink -f ndjson |
	    jq -c '[(.user | tostring), .]' | sort > "$T/want"
	kcatc -t t -e -q -f '%k\t%s\n' |
	    jq -R -c 'split("\t") | [.[0], (.[1] | fromjson)]' | sort > "$T/got"
	diff "$T/want" "$T/got"
	# one key, one partition
	kcatc -t t -e -q -f '%k %p\n' | sort -u |
	    awk '{ n[$1]++ } END { for (k in n) if (n[k] > 1) exit 1 }'
	# a record without the field follows --on-error
	run bash -o pipefail -c "echo '{\"a\":1}' | weir-sink -b '$B' -t t -K .user"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no key field .user"* ]]
	echo '{"a":1}' | limit weir-sink -b "$B" -t t -K .user --on-error skip
	# a file gets the record's JSON text, from text and from frames
	printf '%s\n' '{"a":1}' '{"user":"u","a":2}' | limit weir-sink -b "$B" -t t -K .user --on-error "$T/bad" 2>/dev/null
	printf '%s\n' '{"a":[3,"x"]}' | weir-source | limit weir-sink -b "$B" -t t -K .user --on-error "$T/bad" 2>/dev/null
	[ "$(cat "$T/bad")" = "$(printf '%s\n' '{"a":1}' '{"a":[3,"x"]}')" ]
}

@test "a message the broker refuses is exit 3, never silence" {
	broker_start --topic t:1 --fail-produce 3
	run bash -o pipefail -c "seq 3 | weir-sink -b '$B' -t t"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not delivered"* ]]
}

@test "unreachable broker: exit 3 within -m" {
	start=$(date +%s)
	run bash -o pipefail -c "echo 1 | weir-sink -b 127.0.0.1:1 -t t -m 1"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot reach Kafka"* ]]
	[ $(( $(date +%s) - start )) -le 5 ]
}

@test "SIGTERM to the pipeline: in-flight messages are delivered, exit 0" {
	broker_start --topic t:1
	setsid sh -c "trap : TERM; { seq 1 500; sleep 30; } | weir-source -f lines |
	    weir-sink -b '$B' -t t -X linger.ms=4000; echo \$? > '$T/rc'" &
	pg=$!
	KILL_PIDS="-$pg"
	# the messages linger in the producer when the signal comes
	sleep 1
	[ -z "$(kcatc -t t -e -q)" ]
	kill -TERM -- "-$pg"
	wait "$pg" || true
	[ "$(cat "$T/rc")" -eq 0 ]
	kcatc -t t -e -q | diff <(seq 1 500) -
}

@test "Kafka options of weir-sink need -b and one -t" {
	run weir-sink -t x
	[ "$status" -eq 2 ]
	run weir-sink -b 127.0.0.1:1
	[ "$status" -eq 2 ]
	run weir-sink -b 127.0.0.1:1 -t x -f csv
	[ "$status" -eq 2 ]
}

@test "NDJSON text into weir-sink -b: each line produced byte for byte; a bad line is refused" {
	broker_start --topic t:1
	printf '{ "a" : 1 }\n{"b":[1, 2]}\n"s"\n' > "$T/in"
	limit weir-sink -b "$B" -t t < "$T/in"
	kcatc -t t -e -q > "$T/got"
	cmp "$T/in" "$T/got"
	printf '{"ok":1}\nnot json\n' > "$T/bad"
	run limit weir-sink -b "$B" -t t < "$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" == *"stdin:2: invalid JSON"* ]]
	# -i lines sends any line as it is
	run limit weir-sink -i lines -b "$B" -t t < "$T/bad"
	[ "$status" -eq 0 ]
}

@test "-P: a message Kafka refuses goes to --on-error FILE as the message it was" {
	broker_start --topic t:1
	python3 -c 'print("x" * 3000); print("small")' > "$T/in"
	run limit weir-sink -b "$B" -P -t t -X message.max.bytes=2000 --on-error "$T/bad" < "$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Message size too large (skipped)"* ]]
	[ "$(cat "$T/bad")" = "$(head -n 1 "$T/in")" ]
	[ "$(kcatc -t t -e -q -f '%s\n')" = small ]
}
