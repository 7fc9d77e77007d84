#!/usr/bin/env bats
# weir-window: window assignment, watermarks, grace, lateness, sessions, END.
load helpers
load packed-frames

WF="$BATS_TEST_DIRNAME/wframes.py"

# Table rows: ARGS | INPUT | WANT.  INPUT is a wframes.py script and WANT
# the tokens wframes.py -d prints for weir-window's output, items separated
# by ';'.  Every row runs; the failures are listed together.
run_table() {
	local args input want got fails=0
	while IFS='|' read -r args input want; do
		args=$(echo $args)
		[ -n "$args" ] || continue
		got=$(echo "$input" | tr ';' '\n' | python3 "$WF" |
		    limit weir-window $args 2>"$T/err" | python3 "$WF" -d |
		    paste -sd';')
		want=$(echo $want)
		if [ "$got" != "$want" ]; then
			echo "weir-window $args"
			echo "   input: $input"
			echo "    want: $want"
			echo "     got: $got"
			cat "$T/err"
			fails=$((fails + 1))
		fi
	done
	[ "$fails" -eq 0 ]
}

@test "tumbling: epoch-aligned, negative times floor, a record at end starts the next window" {
	run_table <<'EOF'
tumbling 10 | {"ts":-11};{"ts":-10};{"ts":-1};{"ts":0};{"ts":9};{"ts":10};END | -11@-20,-10;-10@-10,0;-1@-10,0;0@0,10;9@0,10;10@10,20;END
tumbling 1s | {"ts":1700000000999};{"ts":1700000001000};END | 1700000000999@1700000000000,1700000001000;1700000001000@1700000001000,1700000002000;END
tumbling 10 --offset 3 | {"ts":2};{"ts":3};{"ts":-8};END | 2@-7,3;3@3,13;-8@-17,-7;END
tumbling 10 --offset -3 | {"ts":6};{"ts":7};END | 6@-3,7;7@7,17;END
tumbling 10 | {"ts":3,"k":"a"};END | 3@0,10/a;END
EOF
}

@test "hopping: a copy per window (--copies), SIZE need not be a multiple of ADVANCE" {
	run_table <<'EOF'
hopping 10 5 --copies | {"ts":0};{"ts":9};END | 0@-5,5;0@0,10;9@0,10;9@5,15;END
hopping 10 3 --copies | {"ts":9};{"ts":10};END | 9@0,10;9@3,13;9@6,16;9@9,19;10@3,13;10@6,16;10@9,19;END
hopping 10 4 --copies | {"ts":-1};{"ts":2};END | -1@-8,2;-1@-4,6;2@-4,6;2@0,10;END
hopping 10 4 --offset 1 --copies | {"ts":0};END | 0@-7,3;0@-3,7;END
hopping 10 10 --copies | {"ts":10};END | 10@10,20;END
EOF
}

@test "hopping: one HOP frame per record with its open windows; late windows still copies" {
	run_table <<'EOF'
hopping 10 5 | {"ts":0};{"ts":9};END | 0@-5,5+5x2;9@0,10+5x2;END
hopping 10 3 | {"ts":9};{"ts":10};END | 9@0,10+3x4;10@3,13+3x3;END
hopping 10 4 --offset 1 | {"ts":0};END | 0@-7,3+4x2;END
hopping 10 10 | {"ts":10};END | 10@10,20;END
hopping 10 3 --late pass | W 12;{"ts":9};{"ts":10};END | W 12;9@0,10L;9@3,13+3x3;10@3,13+3x3;END
hopping 10 3 --late pass | W 19;{"ts":10};{"ts":18};END | W 19;10@3,13L;10@6,16L;10@9,19L;18@9,19L;18@12,22+3x3;END
EOF
	# every other reader gets the copies: the same records as --copies
	printf '%s\n' '{"ts":9,"k":"a"}' '{"ts":10}' 'W 13' '{"ts":11}' END |
	    python3 "$WF" > "$T/in"
	for c in "" --copies; do
		limit weir-window hopping 10 3 --late pass $c < "$T/in" |
		    weir-sink -f envelope > "$T/env$c"
	done
	[ "$(wc -l < "$T/env")" -eq 10 ]
	grep -c '"late":true' "$T/env" | grep -qx 1
	cmp "$T/env" "$T/env--copies"
	limit weir-window hopping 10 3 < "$T/in" | weir-filter true |
	    weir-sink -f envelope > "$T/filtered"
	[ "$(wc -l < "$T/filtered")" -eq 9 ]
}

@test "watermarks: forwarded held back by the grace, never backwards; barriers pass" {
	run_table <<'EOF'
tumbling 10 | {"ts":1};W 10;{"ts":12};W 20;END | 1@0,10;W 10;12@10,20;W 20;END
tumbling 10 --grace 5 | {"ts":1};W 10;{"ts":12};W 20;END | 1@0,10;W 5;12@10,20;W 15;END
tumbling 10 | W 10;W 5;W 10;W 11;END | W 10;W 11;END
tumbling 10 --grace 1m | W 10;W 70000;END | W -59990;W 10000;END
tumbling 10 | {"ts":1};B 7;{"ts":2};END | 1@0,10;B 7;2@0,10;END
session 10 | B 3;W 4;END | B 3;W 3;END
EOF
}

@test "lateness: a window is closed once the watermark reaches end + grace" {
	run_table <<'EOF'
tumbling 10 --late pass | {"ts":1};W 9;{"ts":5};W 10;{"ts":6};{"ts":10};END | 1@0,10;W 9;5@0,10;W 10;6@0,10L;10@10,20;END
tumbling 10 --late pass --grace 5 | {"ts":1};W 14;{"ts":5};W 15;{"ts":6};END | 1@0,10;W 9;5@0,10;W 10;6@0,10L;END
tumbling 10 | {"ts":1};W 10;{"ts":5};{"ts":-30};{"ts":10};END | 1@0,10;W 10;10@10,20;END
hopping 10 5 --late pass | W 10;{"ts":7};END | W 10;7@0,10L;7@5,15;END
hopping 10 5 | W 10;{"ts":7};END | W 10;7@5,15;END
session 10 --late pass | W 20;{"ts":9,"k":"a"};{"ts":11,"k":"a"};END | W 19;9@9,19L/a;11@11,21/a;END
EOF
}

@test "late records: drop counts them, pass marks them, FILE appends envelopes" {
	printf '%s\n' '{"ts":1}' 'W 10' '{"ts":5}' '{"ts":7,"k":"x"}' '{"ts":11}' END |
	    python3 "$WF" > "$T/in"
	run limit weir-window tumbling 10 < "$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dropped 2 late records"* ]]

	limit weir-window tumbling 10 --late pass < "$T/in" 2>"$T/err" |
	    weir-sink -f envelope > "$T/out"
	grep -q 'passed 2 late records' "$T/err"
	[ "$(grep -c '"late":true' "$T/out")" -eq 2 ]

	echo '{"old":1}' > "$T/late.ndjson"
	limit weir-window tumbling 10 --late "$T/late.ndjson" < "$T/in" \
	    2>"$T/err" | weir-sink -f envelope > "$T/out"
	grep -q "wrote 2 late records to $T/late.ndjson" "$T/err"
	[ "$(wc -l < "$T/out")" -eq 2 ]
	! grep -q late "$T/out" || false
	run cat "$T/late.ndjson"
	[ "${lines[0]}" = '{"old":1}' ]
	[ "${lines[1]}" = '{"ts":5,"window":[0,10],"late":true,"value":{"ts":5}}' ]
	[ "${lines[2]}" = '{"ts":7,"window":[0,10],"late":true,"key":"x","value":{"ts":7,"k":"x"}}' ]
	# the late file reads back as records
	run bash -o pipefail -c "weir-source -f envelope '$T/late.ndjson' | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = '{"ts":7,"window":[0,10],"late":true,"key":"x","value":{"ts":7,"k":"x"}}' ]
}

@test "sessions: per key, gap merging, a record bridging two sessions, closing on watermarks" {
	run_table <<'EOF'
session 10 | {"ts":0,"k":"a"};{"ts":10,"k":"a"};{"ts":21,"k":"a"};END | 0@0,20/a;10@0,20/a;21@21,31/a;END
session 10 | {"ts":0,"k":"a"};{"ts":20,"k":"a"};{"ts":3,"k":"b"};{"ts":10,"k":"a"};W 14;{"ts":50,"k":"a"};W 40;END | 3@3,13/b;W 13;0@0,30/a;10@0,30/a;20@0,30/a;W 39;50@50,60/a;END
session 10 | {"ts":5,"k":"a"};{"ts":1,"k":"a"};{"ts":3,"k":"a"};W 15;W 16;END | W 14;1@1,15/a;3@1,15/a;5@1,15/a;W 15;END
session 10 | {"ts":0,"k":"a"};W 10;{"ts":10,"k":"a"};W 21;END | W 9;0@0,20/a;10@0,20/a;W 20;END
session 10 | {"ts":1};{"ts":2,"k":""};{"ts":3,"k":"a"};END | 1@1,11;2@2,12/;3@3,13/a;END
session 10 --grace 5 | {"ts":0,"k":"a"};W 14;{"ts":9,"k":"a"};W 23;W 24;W 25;END | W 8;W 17;W 18;0@0,19/a;9@0,19/a;W 19;END
session 10 | {"ts":0,"k":"a"};W 30;{"ts":15,"k":"a"};{"ts":25,"k":"a"};{"ts":35,"k":"a"};END | 0@0,10/a;W 29;25@25,45/a;35@25,45/a;END
session 10 | {"ts":0,"k":"a-key-longer-than-twenty-bytes"};{"ts":30,"k":"a-key-longer-than-twenty-bytes"};{"ts":60,"k":"a-key-longer-than-twenty-bytes"};{"ts":5,"k":"a-key-longer-than-twenty-bytes"};{"ts":45,"k":"a-key-longer-than-twenty-bytes"};{"ts":35,"k":"a-key-longer-than-twenty-bytes"};END | 0@0,15/a-key-longer-than-twenty-bytes;5@0,15/a-key-longer-than-twenty-bytes;30@30,55/a-key-longer-than-twenty-bytes;35@30,55/a-key-longer-than-twenty-bytes;45@30,55/a-key-longer-than-twenty-bytes;60@60,70/a-key-longer-than-twenty-bytes;END
session 10 --late pass | {"ts":0,"k":"a"};W 30;{"ts":1,"k":"b"};{"ts":40,"k":"a"};{"ts":2,"k":"c"};{"ts":41,"k":"d"};{"ts":3,"k":"e"};{"ts":42,"k":"a"};{"ts":5,"k":"g"};{"ts":6,"k":"h"};W 60;{"ts":4,"k":"f"};END | 0@0,10/a;W 29;1@1,11L/b;2@2,12L/c;3@3,13L/e;5@5,15L/g;6@6,16L/h;41@41,51/d;40@40,52/a;42@40,52/a;W 59;4@4,14L/f;END
EOF
}

@test "sessions group by -g fields instead of the key" {
	ndjson '{"ts":0,"user":"u1","dev":"p"}' '{"ts":5,"user":"u2","dev":"p"}' \
	    '{"ts":8,"user":"u1","dev":"q"}' '{"ts":30,"user":"u1","dev":"p"}'
	run bash -o pipefail -c "weir-source --time .ts --key .dev '$T/in.ndjson' |
	    weir-window session 10 -g .user 2>/dev/null | weir-sink -f envelope |
	    jq -c '[.ts, .window, .key]'"
	[ "$status" -eq 0 ]
	[ "$output" = '[5,[5,15],"p"]
[0,[0,18],"p"]
[8,[0,18],"q"]
[30,[30,40],"p"]' ]
	run bash -o pipefail -c "weir-source --time .ts '$T/in.ndjson' |
	    weir-window session 10 -g .user,.dev 2>/dev/null | weir-sink -f envelope |
	    jq -c '[.ts, .window]'"
	[ "$output" = '[0,[0,10]]
[5,[5,15]]
[8,[8,18]]
[30,[30,40]]' ]
}

@test "END closes every open window; without watermarks that is said once" {
	ndjson '{"ts":1,"u":"a"}' '{"ts":2,"u":"b"}' '{"ts":300,"u":"a"}'
	run bash -o pipefail -c "weir-source --time .ts --key .u '$T/in.ndjson' |
	    weir-window session 10 2>'$T/err' | weir-sink -f envelope |
	    jq -c '[.ts, .window]'"
	[ "$status" -eq 0 ]
	[ "$output" = '[1,[1,11]]
[2,[2,12]]
[300,[300,310]]' ]
	[ "$(cat "$T/err")" = "weir-window: the input had no watermarks: windows closed only at its end (weir-source --max-delay DUR sends watermarks)" ]
	run bash -o pipefail -c "weir-source --time .ts '$T/in.ndjson' | weir-window tumbling 1m >/dev/null"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c 'no watermarks')" -eq 1 ]
	# with watermarks, or with nothing open, no notice
	run bash -o pipefail -c "weir-source --gen clicks --count 3000 --time .ts --max-delay 1s |
	    weir-window tumbling 1m >/dev/null"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run bash -o pipefail -c "printf '%s\n' END | python3 '$WF' | weir-window session 1s"
	[ "$status" -eq 0 ]
	[ -z "$(echo "$output" | grep 'no watermarks')" ]
}

@test "EOF without END: exit 3, open sessions are not emitted as final" {
	printf '%s\n' '{"ts":1,"k":"a"}' '{"ts":50,"k":"b"}' 'W 20' |
	    python3 "$WF" > "$T/in"
	run bash -o pipefail -c "weir-window session 10 < '$T/in' 2>/dev/null | python3 '$WF' -d"
	[ "$output" = "1@1,11/a
W 19" ]
	run limit weir-window session 10 < "$T/in"
	[ "$status" -eq 3 ]
	run limit weir-window tumbling 10 < "$T/in"
	[ "$status" -eq 3 ]
}

@test "records without event time are data errors that --on-error handles" {
	ndjson '{"a":1}' '{"ts":5}'
	run limit weir-window tumbling 10 < "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"weir-window: stdin:1: record has no event time"* ]]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-window session 10"
	[ "$status" -eq 1 ]
	[[ "$output" == *"weir-window: stdin: record 1: record has no event time"* ]]
	run bash -o pipefail -c "weir-source '$T/in.ndjson' |
	    weir-window tumbling 10 --on-error '$T/bad' 2>'$T/err' | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(cat "$T/bad")" = '{"value":{"a":1}}
{"value":{"ts":5}}' ]
	grep -q 'skipped 2 bad records' "$T/err"
	run bash -o pipefail -c "printf '%s\n' '{\"a\":1}' '{\"ts\":5}' | weir-window tumbling 10 -i ndjson --on-error skip 2>&1 >/dev/null"
	[[ "$output" == *"skipped 2 bad records"* ]]
}

@test "event times whose window would overflow are data errors" {
	run bash -o pipefail -c "printf '%s\n' '{\"ts\":9223372036854775806}' END |
	    python3 '$WF' | weir-window tumbling 10"
	[ "$status" -eq 1 ]
	[[ "$output" == *"out of range"* ]]
}

@test "bad windows and durations are usage errors (exit 2)" {
	local bad
	while IFS= read -r bad; do
		run limit weir-window $bad < /dev/null
		if [ "$status" -ne 2 ]; then
			echo "weir-window $bad: status $status: $output"
			return 1
		fi
		[[ "$output" == weir-window:* ]]
	done <<'EOF'

tumbling
tumbling 0
tumbling 5x
tumbling -5s
tumbling 1m extra
hopping 10s
hopping 10s 20s
hopping 1d 1ms
hopping 10s 0
session
session 0s
session 5s --offset 1s
sliding 5s
tumbling 1m --grace soon
tumbling 1m --offset 1y
tumbling 1m -g .user
tumbling 1m --bogus
session 5s -g .a[
EOF
	run weir-window tumbling 1m --late /nonexistent/dir/late.ndjson < /dev/null
	[ "$status" -eq 3 ]
}

# A frame stream of two records (event times 5 and 10) whose packed values
# are a plain string holding a quote: corrupt (man/weir-format.5).
corrupt_values() {
	frames -t 5 4122 4122
}

@test "a corrupt packed value: passed on unread by tumbling and keyed session windows and refused by the stage that reads it; refused where weir-window reads values" {
	corrupt_values > "$T/in"
	passes_corrupt weir-window "tumbling 1m" "session 1m"
	# values it reads or writes as text: checked on the way in
	for args in "session 1m -g .x" \
	    "tumbling 1m --late $T/late.ndjson"; do
		run bash -o pipefail -c "weir-window $args < '$T/in' > /dev/null"
		echo "$args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"weir-window: "*"corrupt packed value"* ]]
	done
	[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
}

# A frame stream of two records without an event time whose packed values
# are corrupt (the string of corrupt_values, then bytes that are no value).
corrupt_untimed() {
	frames 4122 ffffff
}

@test "a record without event time whose value was passed on unread: its corrupt value is refused, not written into an envelope" {
	corrupt_untimed > "$T/in"
	for args in "tumbling 1m" "session 1m" "tumbling 1m --on-error $T/bad" \
	    "session 1m --on-error $T/bad"; do
		run bash -o pipefail -c "weir-window $args < '$T/in' > /dev/null"
		echo "$args: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"weir-window: "*"corrupt packed value"* ]]
		[[ "$output" != *"out of memory"* ]]
		[[ "$output" != *"Sanitizer"* && "$output" != *"runtime error"* ]]
	done
	[ ! -s "$T/bad" ]
}

@test "--help and --version" {
	run weir-window --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"hopping SIZE ADVANCE"* ]]
	run weir-window --version
	[ "$status" -eq 0 ]
	[[ "$output" == "weir-window (weir) "* ]]
}

# The EXAMPLES of weir-window(1), as written there.

@test "weir-window(1): tag clicks with the second they fall in" {
	run bash -o pipefail -c "weir-source --gen clicks --count 3 --time .ts |
	    weir-window tumbling 1s 2>'$T/err' | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == '{"ts":1700000000000,"window":[1700000000000,1700000001000],"value":'* ]]
	[ "${#lines[@]}" -eq 3 ]
	grep -q "no watermarks" "$T/err"
}

@test "weir-window(1): counts per second, late clicks kept in a file" {
	cd "$T"
	run bash -o pipefail -c "weir-source --gen clicks --count 10000 --time .ts --max-delay 1s |
	    weir-window tumbling 1s --grace 200ms --late late.ndjson |
	    weir-sink -f envelope | jq -r '.window[0]' | sort | uniq -c"
	[ "$status" -eq 0 ]
	n=$(wc -l < late.ndjson)
	[ "$n" -gt 0 ]
	[[ "$output" == *"wrote $n late records to late.ndjson"* ]]
	total=$(echo "$output" | awk '$2 ~ /^1[67]/ { s += $1 } END { print s }')
	[ "$((total + n))" -eq 10000 ]
	[ "$(echo "$output" | grep -c ' 1700000000000$')" -eq 1 ]
}

@test "weir-window(1): hopping windows with an offset" {
	run bash -o pipefail -c "weir-source --gen clicks --count 100 --time .ts |
	    weir-window hopping 10s 3s --offset 1s 2>/dev/null | weir-sink -f envelope |
	    jq -r '.window | \"\(.[0] % 3000) \(.[1] - .[0])\"' | sort -u"
	[ "$status" -eq 0 ]
	[ "$output" = "1000 10000" ]
	run bash -o pipefail -c "weir-source --gen clicks --count 100 --time .ts |
	    weir-window --offset -5h tumbling 1d 2>/dev/null | weir-sink -f envelope |
	    jq -r '.window[0] % 86400000' | sort -u"
	[ "$output" = "68400000" ]
}

@test "weir-window(1): sessions of each user's clicks" {
	run bash -o pipefail -c "weir-source --gen clicks --count 5000 --users 20 --time .ts \
	    --max-delay 2s | weir-window session 5s -g .user |
	    weir-sink -f envelope |
	    jq -r '[.value.user, .window[0], .window[1]] | @tsv' | uniq -c"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{ s += $1 } END { print s }')" -eq 5000 ]
	# each (user, session) comes out in one run
	[ "$(echo "$output" | awk '{ print $2, $3 }' | sort | uniq -d | wc -l)" -eq 0 ]
}
