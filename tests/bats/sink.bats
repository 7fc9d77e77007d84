#!/usr/bin/env bats
# weir-sink: every output format, files, envelope round trips.

load helpers

@test "formats: ndjson csv tsv table lines" {
	ndjson '{"a":1,"b":"x y","c":null}' '{"a":22,"b":"z,w","c":[1]}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f csv"
	[ "$output" = 'a,b,c
1,x y,
22,"z,w",[1]' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f tsv"
	[ "$output" = "$(printf 'a\tb\tc\n1\tx y\t\n22\tz,w\t[1]')" ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f table"
	[ "$output" = 'a   b    c
 1  x y
22  z,w  [1]' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f lines"
	[ "$output" = '{"a":1,"b":"x y","c":null}
{"a":22,"b":"z,w","c":[1]}' ]
}

@test "--fields picks and orders columns" {
	ndjson '{"a":1,"b":2,"c":3}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -f csv --fields c,.a,missing"
	[ "$output" = 'c,a,missing
3,1,' ]
}

@test "table is the default on a terminal" {
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "weir-source --gen clicks -c 2 | weir-sink" /dev/null
	[[ "$output" == *"ts "*"user"*"page"*"amount"* ]]
}

@test "-o writes a file, -a appends" {
	ndjson '{"a":1}'
	weir-source "$T/in.ndjson" | weir-sink -o "$T/out"
	weir-source "$T/in.ndjson" | weir-sink -o "$T/out" -a
	[ "$(cat "$T/out")" = '{"a":1}
{"a":1}' ]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-sink -o /nonexistent/dir/x"
	[ "$status" -eq 3 ]
}

@test "-f framed writes frames that any weir program reads back" {
	weir-source --gen clicks -c 100 | weir-sink -f framed > "$T/a.wf"
	weir-source --gen clicks -c 100 | weir-sink -f ndjson > "$T/a.ndjson"
	run bash -o pipefail -c "weir-sink < '$T/a.wf' | cmp - '$T/a.ndjson'"
	[ "$status" -eq 0 ]
	# concatenated frame streams read as one
	run bash -o pipefail -c "cat '$T/a.wf' '$T/a.wf' | weir-sink | wc -l"
	[ "$output" -eq 200 ]
}

@test "the frame stream is smaller than the NDJSON it came from" {
	weir-source --gen clicks -c 10000 | weir-sink -f ndjson > "$T/c.ndjson"
	weir-source "$T/c.ndjson" > "$T/c.wf"
	n=$(wc -c < "$T/c.ndjson")
	f=$(wc -c < "$T/c.wf")
	[ "$f" -lt "$n" ]
}

@test "envelope round trip is byte-exact for binary keys, values, headers, nulls" {
	# records with every field, built from envelopes
	cat > "$T/env" <<'E'
{"topic":"t","partition":0,"offset":0,"ts":5,"key":"k","headers":[["h","1"],["h","2"],["n",null],["b",{"base64":"AP8="}]],"value":{"a":1}}
{"topic":"t","partition":1,"offset":7,"ts":-3,"key_base64":"AP8Q","value_base64":"/wABAg=="}
{"topic":"t","partition":1,"offset":8,"key":"","value":null}
{"ts":9,"window":[0,10],"late":true,"value":"text with \"quotes\""}
{"value":"{\"a\": 1}"}
{"value":""}
{"value":[1,2]}
{"value":12}
E
	weir-source -f envelope "$T/env" | weir-sink -f envelope > "$T/out1"
	cmp "$T/env" "$T/out1"
	weir-source -f envelope "$T/out1" | weir-sink -f framed |
	    weir-source | weir-sink -f envelope > "$T/out2"
	cmp "$T/env" "$T/out2"
	# bytes that happen to be canonical JSON are written inline: same bytes
	run bash -o pipefail -c "printf '{\"value\":\"12\"}\n' | weir-source -f envelope | weir-sink -f raw"
	[ "$output" = "12" ]
}

@test "envelope: jq can sit between two weir programs" {
	weir-source --gen clicks -c 50 --key .user | weir-sink -f envelope |
	    jq -c 'select(.value.amount > 50) | .value.big = true' |
	    weir-source -f envelope | weir-sink -f ndjson > "$T/out"
	run jq -s 'map(select(.big and .amount > 50)) | length' "$T/out"
	[ "$output" -eq "$(wc -l < "$T/out")" ]
	[ "$output" -gt 5 ]
}

@test "bytes values in ndjson: JSON stays JSON, other text is quoted" {
	printf '{"value":"{\\"a\\": 1}"}\n{"value":"plain"}\n{"value_base64":"/w=="}\n' > "$T/env"
	run bash -o pipefail -c "weir-source -f envelope '$T/env' | weir-sink -f ndjson"
	[ "$output" = '{"a": 1}
"plain"
"\u00ff"' ]
}

@test "a closed reader is a quiet exit 0" {
	run bash -o pipefail -c "weir-source --gen clicks -c 1000000 | weir-sink | head -1"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run bash -o pipefail -c "weir-source --gen clicks -c 1000000 | head -c 100 >/dev/null; echo \${PIPESTATUS[0]}"
	run bash -o pipefail -c "set -o pipefail; weir-source --gen clicks -c 1000000 | head -c 100 >/dev/null"
	[ "$status" -eq 0 ]
}

@test "usage errors exit 2" {
	run weir-sink -f pdf
	[ "$status" -eq 2 ]
	run weir-sink extra
	[ "$status" -eq 2 ]
}

@test "after a first SIGTERM a stage drains its input without spinning" {
	mkfifo "$T/fifo"
	( sleep 3; echo '{"a":1}' ) > "$T/fifo" &
	weir-sink < "$T/fifo" > "$T/out" &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	sleep 1.5
	# CPU time (utime + stime, in clock ticks) used while it waited
	ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	wait
	[ "$ticks" -lt 20 ]
	[ "$(cat "$T/out")" = '{"a":1}' ]
}

@test "ndjson output is one line per record even for multi-line JSON bytes" {
	printf '{"value":"{\\n  \\"a\\": 1\\n}"}\n{"value":"[1,\\r\\n2]"}\n{"value":"{\\"b\\": 2}"}\n' > "$T/env"
	run bash -o pipefail -c "weir-source -f envelope '$T/env' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = '{"a":1}' ]
	[ "${lines[1]}" = '[1,2]' ]
	[ "${lines[2]}" = '{"b": 2}' ]
}

@test "NDJSON text straight into weir-sink passes through as written, still checked" {
	printf '{ "a" : 1 }\n{"b":[1, 2]}\n' > "$T/in"
	run bash -o pipefail -c "weir-sink < '$T/in'"
	[ "$output" = "$(cat "$T/in")" ]
	printf '{"a":1}\n{bad\n' > "$T/in"
	run weir-sink < "$T/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"stdin:2: invalid JSON"* ]]
}
