#!/usr/bin/env bats
# weir-source: text formats, key and time, watermarks, the generator.

load helpers

@test "ndjson in, ndjson out: minified JSON passes byte for byte" {
	ndjson '{"a":1,"b":"x"}' '{"a":2.50,"b":null,"c":[1,{"d":true}]}' '"str"' '42'
	run weir-source "$T/in.ndjson"
	[ "$status" -eq 0 ]
	weir-source "$T/in.ndjson" | weir-sink -f ndjson > "$T/out"
	cmp "$T/in.ndjson" "$T/out"
}

@test "ndjson whitespace is normalised like jq -c, blank lines skipped" {
	printf '{ "a" : 1 ,  "b" : [ 1 , 2 ] }\n\n   \n{"c":"d"}\r\n' > "$T/in"
	run bash -o pipefail -c "weir-source '$T/in' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a":1,"b":[1,2]}
{"c":"d"}' ]
}

@test "stdin and '-' both read standard input" {
	run bash -o pipefail -c 'echo "{\"a\":1}" | weir-source | weir-sink'
	[ "$output" = '{"a":1}' ]
	run bash -o pipefail -c 'echo "{\"a\":1}" | weir-source - | weir-sink'
	[ "$output" = '{"a":1}' ]
}

@test "several files are read in order" {
	echo '{"f":1}' > "$T/a"
	echo '{"f":2}' > "$T/b"
	run bash -o pipefail -c "weir-source '$T/a' '$T/b' | weir-sink"
	[ "$output" = '{"f":1}
{"f":2}' ]
}

@test "missing file: exit 3 naming it" {
	run weir-source "$T/nope"
	[ "$status" -eq 3 ]
	[[ "$output" == *"weir-source: $T/nope: No such file"* ]]
}

@test "csv: header names fields, numbers stay numbers, quotes and empties" {
	printf 'id,name,amount,zip,note\n1,ann,12.50,007,"a, ""b"""\n2,"bo\nb",-3,,""\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source -f csv '$T/in.csv' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"id":1,"name":"ann","amount":12.50,"zip":"007","note":"a, \"b\""}
{"id":2,"name":"bo\nb","amount":-3,"zip":null,"note":""}' ]
}

@test "csv round trip through weir-sink -f csv is exact" {
	printf 'id,name,amount\n1,ann,12.50\n2,"x,y",\n3,"q""q",""\n' > "$T/in.csv"
	weir-source -f csv "$T/in.csv" | weir-sink -f csv > "$T/out.csv"
	cmp "$T/in.csv" "$T/out.csv"
}

@test "csv with CRLF line ends" {
	printf 'a,b\r\n1,x\r\n2,y\r\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source -f csv '$T/in.csv' | weir-sink -f ndjson"
	[ "$output" = '{"a":1,"b":"x"}
{"a":2,"b":"y"}' ]
}

@test "csv: a row with the wrong number of fields is a data error with its line" {
	printf 'a,b\n1,2\n3\n' > "$T/in.csv"
	run bash -o pipefail -c "weir-source -f csv '$T/in.csv' >/dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"weir-source: $T/in.csv:3: 1 fields, but the header has 2"* ]]
}

@test "tsv with escapes" {
	printf 'a\tb\n1\tx\\ty\n' > "$T/in.tsv"
	run bash -o pipefail -c "weir-source -f tsv '$T/in.tsv' | weir-sink -f ndjson"
	[ "$output" = '{"a":1,"b":"x\ty"}' ]
	run bash -o pipefail -c "weir-source -f tsv '$T/in.tsv' | weir-sink -f tsv"
	[ "$output" = "$(printf 'a\tb\n1\tx\\ty')" ]
}

@test "lines: each line is a value; ndjson output quotes non-JSON" {
	printf 'hello\n{"a":1}\n' > "$T/in"
	run bash -o pipefail -c "weir-source -f lines '$T/in' | weir-sink -f ndjson"
	[ "$output" = '"hello"
{"a":1}' ]
	run bash -o pipefail -c "weir-source -f lines '$T/in' | weir-sink -f lines"
	[ "$output" = 'hello
{"a":1}' ]
}

@test "raw: the whole input is one record, bytes exact" {
	head -c 5000 /dev/urandom > "$T/bin"
	weir-source -f raw "$T/bin" | weir-sink -f raw > "$T/out"
	cmp "$T/bin" "$T/out"
}

@test "--key and --time from fields" {
	ndjson '{"u":"ann","t":1000}' '{"u":7,"t":2500.9}'
	run bash -o pipefail -c "weir-source --key .u --time .t '$T/in.ndjson' | weir-sink -f envelope"
	[ "$output" = '{"ts":1000,"key":"ann","value":{"u":"ann","t":1000}}
{"ts":2500,"key":"7","value":{"u":7,"t":2500.9}}' ]
}

@test "--time-format s, us and iso8601" {
	ndjson '{"t":1700000000}'
	run bash -o pipefail -c "weir-source --time .t --time-format s '$T/in.ndjson' | weir-sink -f envelope"
	[[ "$output" == '{"ts":1700000000000,'* ]]
	ndjson '{"t":1700000000123456}'
	run bash -o pipefail -c "weir-source --time .t --time-format us '$T/in.ndjson' | weir-sink -f envelope"
	[[ "$output" == '{"ts":1700000000123,'* ]]
	ndjson '{"t":"2023-11-14T22:13:20.5Z"}'
	run bash -o pipefail -c "weir-source --time .t --time-format iso8601 '$T/in.ndjson' | weir-sink -f envelope"
	[[ "$output" == '{"ts":1700000000500,'* ]]
}

@test "a record without its time field: data error naming file and line" {
	ndjson '{"t":1}' '{"x":1}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' >/dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"weir-source: $T/in.ndjson:2: no event time field .t"* ]]
}

@test "--on-error skip counts, FILE keeps the bad lines" {
	ndjson '{"a":1}' 'oops' '{"a":2}' '{bad' '{"a":3}'
	run bash -o pipefail -c "weir-source --on-error skip '$T/in.ndjson' | weir-sink"
	[ "$status" -eq 0 ]
	[[ "$output" == *"skipped 2 bad records"* ]]
	[[ "$output" == *'{"a":3}'* ]]
	weir-source --on-error "$T/bad" "$T/in.ndjson" 2>/dev/null | weir-sink > "$T/good"
	[ "$(cat "$T/bad")" = 'oops
{bad' ]
	[ "$(wc -l < "$T/good")" -eq 3 ]
}

@test "--max-delay emits watermarks: max event time minus the delay" {
	ndjson '{"t":10000}' '{"t":30000}' '{"t":20000}'
	run bash -o pipefail -c "weir-source --time .t --max-delay 5s '$T/in.ndjson' | weir-sink -f framed | od -An -tx1 | tr -d ' \n'"
	# watermark 25000 (0x61a8, zigzag 0xc3500 -> varint d0 86 03) comes
	# right before the record at 20000, which is behind it (a RECORD frame,
	# type 01, follows), so lateness downstream never depends on timing
	[[ "$output" == *"0203d0860301"* ]]
}

@test "--max-delay needs event times" {
	ndjson '{"a":1}'
	run bash -o pipefail -c "weir-source --max-delay 1s '$T/in.ndjson' > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no event time"* ]]
}

@test "-c stops after N records" {
	run bash -o pipefail -c "weir-source --gen clicks -c 7 | weir-sink | wc -l"
	[ "$output" -eq 7 ]
}

@test "generator: deterministic for a seed, different across seeds" {
	a=$(weir-source --gen clicks --count 1000 --seed 5 | weir-sink | md5sum)
	b=$(weir-source --gen clicks --count 1000 --seed 5 | weir-sink | md5sum)
	c=$(weir-source --gen clicks --count 1000 --seed 6 | weir-sink | md5sum)
	[ "$a" = "$b" ]
	[ "$a" != "$c" ]
}

@test "generator: fields, event time, and out-of-order within 2 s" {
	weir-source --gen clicks --count 20000 --users 50 | weir-sink -f envelope > "$T/e"
	run jq -s '[.[] | select(.ts != .value.ts)] | length' "$T/e"
	[ "$output" -eq 0 ]
	run jq -s '[.[].value | keys_unsorted] | unique | .[0] | join(",")' "$T/e"
	[ "$output" = '"ts,user,page,amount"' ]
	run jq -s '[.[].value.user] | unique | length' "$T/e"
	[ "$output" -eq 50 ]
	# out of order, but never more than 2 s behind the newest
	run jq -s 'reduce .[].ts as $t ({m: -1e18, late: 0, worst: 0};
	    .late += (if $t < .m then 1 else 0 end) |
	    .worst = ([.worst, .m - $t] | max) | .m = ([.m, $t] | max)) |
	    "\(.late > 1000) \(.worst < 2000)"' "$T/e"
	[ "$output" = '"true true"' ]
}

@test "generator --rate paces output in real time" {
	start=$(date +%s%N)
	weir-source --gen clicks --rate 2000 --count 1000 | weir-sink > /dev/null
	end=$(date +%s%N)
	ms=$(( (end - start) / 1000000 ))
	[ "$ms" -ge 400 ]
	[ "$ms" -lt 5000 ]
}

@test "usage errors exit 2" {
	run weir-source -f xml
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown input format 'xml'"* ]]
	run weir-source --max-delay soon
	[ "$status" -eq 2 ]
	run weir-source --key user
	[ "$status" -eq 2 ]
	[[ "$output" == *"must start with '.'"* ]]
	run weir-source --gen nope
	[ "$status" -eq 2 ]
	run weir-source --seed 10 file
	[ "$status" -eq 2 ]
	run weir-source --bogus
	[ "$status" -eq 2 ]
}

@test "frames on a terminal never: NDJSON when stdout is a tty" {
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "weir-source --gen clicks -c 2" /dev/null
	[[ "$output" == *'{"ts":1700000000000,"user":"u298"'* ]]
}

@test "a quiet source is not held back: records flow before input ends" {
	# a slow writer: the first record must arrive long before the last
	( echo '{"n":1}'; sleep 2; echo '{"n":2}' ) | weir-source | weir-sink > "$T/out" &
	pid=$!
	sleep 1
	run cat "$T/out"
	[ "$output" = '{"n":1}' ]
	wait $pid
}

@test "SIGTERM: the source stops, writes END, exits 0" {
	weir-source --gen clicks --rate 1000 > "$T/out.wf" &
	pid=$!
	sleep 0.5
	kill -TERM $pid
	wait $pid
	run bash -o pipefail -c "weir-sink -f ndjson < '$T/out.wf' | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -gt 10 ]
}

@test "files named .csv and .tsv are read as such without -f; -f wins" {
	printf 'a,b\n1,x\n' > "$T/t.csv"
	printf 'a\tb\n2\ty\n' > "$T/t.TSV"
	run bash -o pipefail -c "weir-source '$T/t.csv' '$T/t.TSV' | weir-sink"
	[ "$output" = '{"a":1,"b":"x"}
{"a":2,"b":"y"}' ]
	printf '{"a":3}\n' > "$T/j.csv"
	run bash -o pipefail -c "weir-source -f ndjson '$T/j.csv' | weir-sink"
	[ "$output" = '{"a":3}' ]
	# and a join's table likewise
	printf 'id,name\nu1,Ann\n' > "$T/users.csv"
	printf '{"user":"u1"}\n' > "$T/c.ndjson"
	run bash -o pipefail -c "weir-source '$T/c.ndjson' | weir-join --table '$T/users.csv' --on .user=.id | weir-sink"
	[ "$output" = '{"user":"u1","id":"u1","name":"Ann"}' ]
}
