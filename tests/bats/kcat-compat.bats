#!/usr/bin/env bats
# A kcat user's commands: the same command run with kcat and with
# weir-source / weir-sink on weir-broker gives the same bytes.
load helpers
load kafka_helpers

# One partition, so the order is fixed: keys, headers with a null and an
# empty value, a tombstone, an empty value, an empty key, binary bytes,
# control characters, quotes and backslashes, a keyless message.
produce_mix() {
	printf 'k1:{"a":1}\n' | kcat -b "$B" -P -t t -K: -H h=1 -H n -H e= -H h=2
	printf 'k2:\n' | kcat -b "$B" -P -t t -K: -Z
	printf 'k3:\n' | kcat -b "$B" -P -t t -K:
	printf ':novalue-key\n' | kcat -b "$B" -P -t t -K:
	printf 'a\001b\033\tc"\\/\177\377\376 d\r\n' | kcat -b "$B" -P -t t -D '\n'
	printf '\000\001\377' > "$T/bin"
	kcat -b "$B" -P -t t "$T/bin"
	printf 'plain' | kcat -b "$B" -P -t t
}

# same ARGS...: kcat -C and weir-source -C with ARGS give the same bytes
same() {
	limit kcat -X fetch.wait.max.ms=10 -b "$B" -C -q "$@" > "$T/kcat.out"
	limit weir-source -b "$B" -C "$@" > "$T/weir.out"
	if ! cmp "$T/kcat.out" "$T/weir.out"; then
		echo "differ: $*"
		od -c "$T/kcat.out" | head -20
		echo ---
		od -c "$T/weir.out" | head -20
		return 1
	fi
	[ -s "$T/kcat.out" ]
}

@test "consumer: -C, -J, -f with every formatter, -Z, -K, -D give kcat's bytes" {
	broker_start --topic t:1
	produce_mix
	same -t t -e
	same -t t -e -J
	same -t t -e -J -D '\n--\n'
	same -t t -e -f '%t|%p|%o|%T|%k|%K|%S|%h|%s\n'
	same -t t -e -f '%R%s'
	same -t t -e -Z -f '[%k][%s]\n'
	same -t t -e -K ' => ' -D '\t;\n'
	same -t t -e -f 'lit %% \x41\101\0x42\t%o\r\n'
	same -t t -e -u -f '%o:%s\n'
	same -t t -e -p 0 -o 2 -c 3 -f '%o %K\n'
	same -t t -e -o -2 -J
	# the JSON envelope: kcat's key order and escapes, every field present
	jq -c 'keys_unsorted' < <(weir-source -b "$B" -C -t t -e -c 1 -J) > "$T/k"
	echo '["topic","partition","offset","tstype","ts","broker","headers","key","payload"]' |
	    diff - "$T/k"
}

@test "consumer: -G, -F, -q, -E, -L and -Q as kcat takes them" {
	broker_start --topic t:1
	produce_mix
	printf '# kcat.conf\nclient.id=from-file\n\nfetch.wait.max.ms=10\n' > "$T/conf"
	same -F "$T/conf" -t t -e -f '%o\n'
	same -F none -t t -e -f '%o\n'
	# -F reads the file: a bad property in it is refused
	echo 'no.such.property=1' > "$T/bad"
	run limit weir-source -b "$B" -C -F "$T/bad" -t t -e
	[ "$status" -eq 2 ]
	[[ "$output" == *no.such.property* ]]
	# -Q: offsets by time (-1 the end, -2 the beginning), text and JSON
	limit kcat -b "$B" -Q -t t:0:-1 > "$T/q1"
	limit weir-source -b "$B" -Q -t t:0:-1 | cmp "$T/q1" -
	grep -q '^t \[0\] offset 7$' "$T/q1"
	limit kcat -b "$B" -Q -J -t t:0:-2 > "$T/q2"
	limit weir-source -b "$B" -Q -J -t t:0:-2 | cmp "$T/q2" -
	# -L, -L -t, -L -J: kcat's metadata listing
	limit kcat -b "$B" -L > "$T/l1"
	limit weir-source -b "$B" -L | cmp "$T/l1" -
	limit kcat -b "$B" -L -t t > "$T/l2"
	limit weir-source -b "$B" -L -t t | cmp "$T/l2" -
	limit kcat -b "$B" -L -J > "$T/l3"
	limit weir-source -b "$B" -L -J | cmp "$T/l3" -
	jq -e '.topics[0].partitions[0].leader' "$T/l3"
	run weir-source -b "$B" -Q -t t:0
	[ "$status" -eq 2 ]
	[[ "$output" == *TOPIC:PARTITION:TIME* ]]
	# -E: a bad record (not JSON, so no key field) is skipped, not fatal
	run limit bash -c "weir-source -b '$B' -t t -e -k .a > /dev/null"
	[ "$status" -eq 1 ]
	limit weir-source -b "$B" -t t -e -q -E -k .a 2> "$T/err" |
	    limit weir-sink -f lines > "$T/ok"
	[ "$(cat "$T/ok")" = '{"a":1}' ]
	grep -q 'skipped 6 bad records' "$T/err"
	# -G GROUP TOPIC... with kcat's output
	limit kcat -b "$B" -G g0 $GROUPX -X auto.offset.reset=earliest -e -q -f '%o %k %s\n' t > "$T/kg"
	limit weir-source -b "$B" -G g1 $GROUPX -e -f '%o %k %s\n' t > "$T/g"
	cmp "$T/kg" "$T/g"
	[ "$(head -1 "$T/g")" = '0 k1 {"a":1}' ]
}

# prod ARGS...: kcat -P into topic a and weir-sink -P into b, the same
# stdin ($T/in); the topics then hold the same messages
prod() {
	limit kcat -b "$B" -t a "$@" < "$T/in" > "$T/kcat.tee"
	limit weir-sink -b "$B" -t b "$@" < "$T/in" > "$T/weir.tee"
	cmp "$T/kcat.tee" "$T/weir.tee"
	kcat_dump a > "$T/a"
	kcat_dump b > "$T/b"
	if ! cmp "$T/a" "$T/b"; then
		diff "$T/a" "$T/b" | cat -A
		return 1
	fi
}

@test "producer: -P with -K, -Z, -k, -H, -D, -T, files and -l makes kcat's messages" {
	broker_start --topic a:1 --topic b:1
	printf 'k1:v1\n:v2\nk3:\n\nno delim here\nk:v:w\nlast' > "$T/in"
	prod -P
	prod -P -K:
	prod -P -K: -Z
	prod -P -K: -k fixed
	prod -P -k fixed -H a=1 -H b -H c= -H a=2
	prod -P -D 'k' -K '\x3a'
	prod -P -T -K:
	prod -P -z gzip -q -u -E
	prod -P -c 2 -K:
	prod -P -p -1
	printf 'one' > "$T/f1"
	: > "$T/f2"
	printf 'two\nlines\n' > "$T/f3"
	prod -P "$T/f1" "$T/f2" "$T/f3"
	prod -P -l "$T/f3"
	prod -P -l -K: -H x=y "$T/f3"
	[ "$(tail -1 "$T/b")" = '0 58 -1 5 [x=y] lines' ]
	# a weir -K PATH still starts with a dot
	printf '{"u":"x1","v":1}\n' | limit weir-sink -b "$B" -t b -K .u
	limit kcat -X fetch.wait.max.ms=10 -b "$B" -C -t b -o -1 -e -q \
	    -f '%k %s\n' > "$T/last"
	[ "$(cat "$T/last")" = 'x1 {"u":"x1","v":1}' ]
}

@test "producer: SIGTERM stops -P reading a quiet input; what was read is delivered" {
	broker_start --topic a:1
	mkfifo "$T/fifo"
	weir-sink -P -b "$B" -t a < "$T/fifo" &
	KILL_PIDS=$!
	exec 5> "$T/fifo"
	printf 'one\ntwo\n' >&5
	for i in $(seq 100); do
		[ "$(kcat_dump a | wc -l)" -eq 2 ] && break
		sleep 0.1
	done
	kill -TERM "$KILL_PIDS"
	for i in $(seq 100); do	# it stops with the fifo still open
		kill -0 "$KILL_PIDS" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$KILL_PIDS" 2>/dev/null; then
		echo "weir-sink -P did not stop on SIGTERM"
		return 1	# teardown kills it
	fi
	st=0
	wait "$KILL_PIDS" || st=$?
	exec 5>&-
	[ "$st" -eq 0 ]
	kcat_dump a > "$T/a"
	printf '0 0 -1 3 [] one\n0 1 -1 3 [] two\n' | diff - "$T/a"
}

@test "producer: -k and -H apply to a weir stream too" {
	broker_start --topic a:1
	printf '{"n":1}\n{"n":2}\n' | limit weir-source -k .n |
	    limit weir-sink -b "$B" -t a -H src=weir -k ignored
	printf '{"n":3}\n' | limit weir-sink -b "$B" -t a -H src=weir -k fixed
	kcat_dump a > "$T/a"
	cat > "$T/want" <<'W'
0 0 1 7 [src=weir] {"n":1}
0 1 1 7 [src=weir] {"n":2}
0 2 5 7 [src=weir] {"n":3}
W
	diff "$T/want" "$T/a"
}

@test "weir-sink -f with % formats a stream as kcat would" {
	broker_start --topic t:1
	produce_mix
	f='%t %p %o %T %K %S [%h] %k=%s\n'
	limit kcat -X fetch.wait.max.ms=10 -b "$B" -C -q -t t -e -f "$f" > "$T/k"
	limit weir-source -b "$B" -t t -e | limit weir-sink -f "$f" > "$T/w"
	cmp "$T/k" "$T/w"
	limit kcat -X fetch.wait.max.ms=10 -b "$B" -C -q -t t -e -Z -f '%k|%s\n' > "$T/k"
	limit weir-source -b "$B" -t t -e | limit weir-sink -Z -f '%k|%s\n' > "$T/w"
	cmp "$T/k" "$T/w"
	run weir-sink -f '%q'
	[ "$status" -eq 2 ]
	[[ "$output" == *"unsupported kcat formatter %q"* ]]
}

@test "kcat flags that weir takes elsewhere name the weir way" {
	run weir-source -P -b x -t t
	[ "$status" -eq 2 ]
	[[ "$output" == *"weir-sink -b BROKERS -t TOPIC"* ]]
	run weir-sink -J -b x -t t
	[ "$status" -eq 2 ]
	[[ "$output" == *"weir-source -b BROKERS -t TOPIC"* ]]
	run weir-sink -C
	[ "$status" -eq 2 ]
	[[ "$output" == *weir-source* ]]
	# -s and -r are Avro and its Schema Registry, as in kcat
	run weir-source -s avro -b x -t t
	[ "$status" -eq 2 ]
	[[ "$output" == *"-r URL"* ]]
	run weir-source -M 1
	[ "$status" -eq 2 ]
	[[ "$output" == *weir-broker* ]]
	run weir-source -C -t t
	[ "$status" -eq 2 ]
	[[ "$output" == *"-b BROKERS"* ]]
	run weir-source -b x -t t -J --max-delay 1s
	[ "$status" -eq 2 ]
	run weir-sink -P -t t
	[ "$status" -eq 2 ]
	for f in "-D ;" "-K :" -l -T "-c 1" -Z "-k k" "-H a=b"; do
		run weir-sink $f
		[ "$status" -eq 2 ]
		[[ "$output" == *"give -b BROKERS -t TOPIC"* ]]
	done
	run weir-sink -b x -t t -P -D ''
	[ "$status" -eq 2 ]
	[[ "$output" == *"must not be empty"* ]]
	run weir-source -b x -t t -f '%s%'
	[ "$status" -eq 2 ]
	[[ "$output" == *"empty formatter"* ]]
}
