#!/usr/bin/env bats
# weir-filter: expressions on real records (table-driven), -v, the missing
# rule, forwarding of watermarks and barriers, errors, and the EXAMPLES of
# weir-filter(1) and weir-expr(7).

load helpers

# A small document set: each case lists the ids of the records it keeps.
docs() {
	ndjson '{"id":1,"amount":60,"page":"/p/7","user":"Ann","tags":["x"],"email":"ann@example.com"}' \
	    '{"id":2,"amount":40,"page":"/p/7","user":"bob","n":null}' \
	    '{"id":3,"amount":"70","page":"/p/1","user":"CY","tags":[]}' \
	    '{"id":4,"page":"/p/7","user":"","email":"no at sign"}' \
	    '{"id":5,"amount":99.5,"page":"/p/\u0037","user":"eve","a":{"b":[1,2,3]}}'
}

@test "expressions keep the right records" {
	docs
	while IFS='|' read -r expr want; do
		[ -n "$expr" ] || continue
		got=$(weir-filter -f ndjson "$expr" < "$T/in.ndjson" | jq -c .id | paste -sd, -)
		if [ "$got" != "$want" ]; then
			echo "expr: $expr  got: '$got'  want: '$want'"
			return 1
		fi
	done <<'TABLE'
.amount > 50|1,5
.amount > 50 and .page == "/p/7"|1,5
.amount > 50 or .user == "bob"|1,2,5
.amount <= 50|2
.amount != 60|2,3,5
not (.amount > 50)|2,3,4
.page in ["/p/1", "/p/9"]|3
"x" in .tags|1
lower(.user) == "cy"|3
upper(.user) == "ANN"|1
len(.user) == 0|4
exists(.amount)|1,2,3,5
not exists(.amount)|4
is_null(.n)|1,2,3,4,5
is_null(.n) and exists(.n)|2
exists(.n)|2
type(.amount) == "string"|3
number(.amount) > 65|3,5
string(.id) == "4"|4
contains(.email, "@")|1
starts_with(.page, "/p/")|1,2,3,4,5
ends_with(.page, "1")|3
matches(.email, "^[^@ ]+@[^@ ]+$")|1
matches(.user, "^[a-z]+$")|2,5
.a.b[1] == 2|5
.a.b[-1] == 3|5
len(.a.b) == 3|5
.amount * 2 > 150|5
.amount % 20 == 0|1,2
.id - 1 == 3|4
.amount / 0 > 0|
.id >= 2 and .id < 4|2,3
true|1,2,3,4,5
false|
null|
.missing|
.user|1,2,3,4,5
TABLE
}

@test "-v keeps exactly the records the expression drops" {
	weir-source --gen clicks --count 2000 > "$T/c.wf"
	a=$(weir-filter '.amount > 50 and .page == "/p/7"' < "$T/c.wf" | weir-sink | wc -l)
	b=$(weir-filter -v '.amount > 50 and .page == "/p/7"' < "$T/c.wf" | weir-sink | wc -l)
	[ "$a" -gt 0 ]
	[ $((a + b)) -eq 2000 ]
	# the same records as jq selects, in the same order
	weir-filter '.amount > 50 and .page == "/p/7"' < "$T/c.wf" | weir-sink | jq -c . > "$T/w"
	weir-sink < "$T/c.wf" | jq -c 'select(.amount > 50 and .page == "/p/7")' > "$T/j"
	cmp "$T/w" "$T/j"
}

@test "missing fields: every comparison is false, so -v keeps them" {
	ndjson '{"a":1}' '{"b":1}'
	for expr in '.b == 1' '.b != 1' '.b < 1' '.b >= 1' '.b in [1]' '.b == null'; do
		run bash -o pipefail -c "weir-filter -f ndjson '$expr' < '$T/in.ndjson'"
		[ "$status" -eq 0 ]
		[ "$output" = '{"b":1}' ] || [ "$output" = '' ] || { echo "$expr: $output"; return 1; }
		run bash -o pipefail -c "weir-filter -f ndjson -v '$expr' < '$T/in.ndjson' | head -1"
		[ "$output" = '{"a":1}' ]
	done
}

@test "ts() and key() read the record's event time and key" {
	weir-source --gen clicks --count 200 --key .user > "$T/c.wf"
	a=$(weir-filter 'ts() == .ts and key() == .user' < "$T/c.wf" | weir-sink | wc -l)
	[ "$a" -eq 200 ]
	# no key on text input: key() is missing
	ndjson '{"a":1}'
	run bash -o pipefail -c "weir-filter -f ndjson 'exists(key())' < '$T/in.ndjson'"
	[ "$output" = "" ]
}

@test "records pass through unchanged, watermarks are forwarded" {
	printf '%s\n' '{"ts":5,"key":"k","headers":[["h","v"]],"value":{"a":1}}' \
	    '{"ts":6,"value":{"a":2}}' > "$T/env"
	run bash -o pipefail -c "weir-source -f envelope '$T/env' | weir-filter '.a == 1' | weir-sink -f envelope"
	[ "$output" = '{"ts":5,"key":"k","headers":[["h","v"]],"value":{"a":1}}' ]
	# watermarks survive a filter that drops everything
	w1=$(weir-source --gen clicks --count 5000 --max-delay 1s | weir-filter false | wc -c)
	w0=$(weir-source --gen clicks --count 5000 | weir-filter false | wc -c)
	[ "$w1" -gt "$w0" ]
}

@test "true passes a frame stream through byte for byte; barriers are forwarded" {
	weir-source --gen clicks --count 5000 --max-delay 1s --key .user > "$T/a.wf"
	weir-filter true < "$T/a.wf" | cmp - "$T/a.wf"
	# header, BARRIER id 7 with payload "abc", END
	printf '\211WEIR\n\001\000\003\004\007abc\004\000' > "$T/b.wf"
	weir-filter false < "$T/b.wf" | cmp - "$T/b.wf"
	weir-map 'x=1' < "$T/b.wf" | cmp - "$T/b.wf"
}

@test "a bad expression: exit 2, the column and a caret" {
	run weir-filter '.amount > > 5'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "weir-filter: bad expression: column 11: expected an operand, found '>'" ]
	[ "${lines[1]}" = ".amount > > 5" ]
	[ "${lines[2]}" = "          ^" ]
	while IFS='|' read -r expr col; do
		run weir-filter "$expr"
		[ "$status" -eq 2 ]
		[[ "${lines[0]}" == *"column $col:"* ]] || { echo "$expr: ${lines[0]}"; return 1; }
	done <<'TABLE'
.a = 1|4
.a == "x|7
nope(.a)|1
matches(.a, "(")|1
.a and|7
(.a|4
TABLE
	run weir-filter
	[ "$status" -eq 2 ]
	run weir-filter '.a' '.b'
	[ "$status" -eq 2 ]
}

@test "bad input lines follow --on-error" {
	printf '{"a":1}\nnot json\n{"a":2}\n' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-filter -f ndjson '.a > 0' < '$T/in.ndjson'"
	[ "$status" -eq 1 ]
	run bash -o pipefail -c "weir-filter -f ndjson --on-error skip '.a > 0' < '$T/in.ndjson' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = '{"a":1}
{"a":2}' ]
}

@test "upstream ending without END: exit 3" {
	weir-source --gen clicks --count 100 > "$T/c.wf"
	head -c 500 "$T/c.wf" > "$T/cut.wf"
	run bash -o pipefail -c "weir-filter true < '$T/cut.wf' > /dev/null"
	[ "$status" -eq 3 ]
}

@test "weir-filter(1) EXAMPLES" {
	run bash -o pipefail -c "weir-source --gen clicks --count 1000 |
	    weir-filter '.amount > 50 and .page == \"/p/7\"' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	want=$(weir-source --gen clicks --count 1000 | weir-sink | jq -c 'select(.amount > 50 and .page == "/p/7")')
	[ "$(echo "$output" | jq -c .)" = "$want" ]
	[ -n "$output" ]
	run bash -o pipefail -c "weir-source --gen clicks --count 1000 |
	    weir-filter -v '.amount > 50 and .page == \"/p/7\"' | weir-sink | wc -l"
	[ "$output" -eq $((1000 - $(echo "$want" | wc -l))) ]
	run bash -o pipefail -c "weir-source --gen clicks --count 2000 --key .user |
	    weir-filter 'starts_with(key(), \"u1\") and ts() < 1700000001000' |
	    weir-sink -f envelope"
	[ "$status" -eq 0 ]
	want=$(weir-source --gen clicks --count 2000 | weir-sink | jq -c 'select((.user | startswith("u1")) and .ts < 1700000001000)' | wc -l)
	[ "${#lines[@]}" -eq "$want" ]
	[[ "${lines[0]}" == '{"ts":'*',"key":"u1'* ]]
	run bash -o pipefail -c "printf '{\"level\":\"error\"}\n{\"level\":\"info\"}\noops\n' |
	    weir-filter --on-error skip -f ndjson '.level in [\"error\", \"fatal\"]' 2>'$T/err'"
	[ "$status" -eq 0 ]
	[ "$output" = '{"level":"error"}' ]
	grep -q "skipped 1 bad record" "$T/err"
}

@test "weir-filter(1) EXAMPLES: lines of a log" {
	cd "$T"
	printf 'ok\nERROR disk full\nFATAL: gone\n' > app.log
	run bash -o pipefail -c "weir-source -f lines app.log |
	    weir-filter 'matches(., \"^(ERROR|FATAL)\")' | weir-sink -f lines"
	[ "$status" -eq 0 ]
	[ "$output" = "ERROR disk full
FATAL: gone" ]
	# bytes that are not UTF-8 are missing, not an error
	printf 'a\377b\nab\n' > bin.txt
	run bash -o pipefail -c "weir-source -f lines bin.txt | weir-filter 'len(.) == 2' | weir-sink -f lines"
	[ "$output" = "ab" ]
}

@test "weir-expr(7) EXAMPLES" {
	ndjson '{"user":null,"email":"A@Example.com","amount":51,"page":"/p/7"}' \
	    '{"user":"","email":"b@other.org","amount":10,"page":"/p/7"}' \
	    '{"user":"cy","email":"c@test.com","amount":1.5,"page":"/p/1"}'
	run bash -o pipefail -c "weir-filter -f ndjson '.amount > 50 and .page == \"/p/7\"' < '$T/in.ndjson' | jq -c .amount"
	[ "$output" = "51" ]
	run bash -o pipefail -c "weir-filter -f ndjson 'is_null(.user) or .user == \"\"' < '$T/in.ndjson' | jq -c .amount"
	[ "$output" = "$(printf '51\n10')" ]
	run bash -o pipefail -c "weir-filter -f ndjson 'matches(lower(.email), \"@(example|test)[.]com$\")' < '$T/in.ndjson' | jq -c .amount"
	[ "$output" = "$(printf '51\n1.5')" ]
	run bash -o pipefail -c "weir-map -f ndjson 'cents=.amount * 100' 'label=upper(.user) + \":\" + .page' < '$T/in.ndjson' | jq -c '[.cents, .label]'"
	[ "$output" = '[5100,null]
[1000,":/p/7"]
[150,"CY:/p/1"]' ]
}

@test "a path goes on after an index in expressions, as in -g and --time paths: .q[2].r, .a[0][1], .a[-1].\"b c\"" {
	ndjson '{"q":[1,2,{"r":5}],"a":[[7,8]],"n":"x"}' \
	    '{"q":[1,2,{"r":6}],"a":[[7,9],{"b c":3}],"n":"y"}'
	run bash -o pipefail -c "weir-filter -f ndjson '.q[2].r == 5' < '$T/in.ndjson' | jq -r .n"
	[ "$status" -eq 0 ]
	[ "$output" = x ]
	run bash -o pipefail -c "weir-filter -f ndjson '.a[0][1] == 9' < '$T/in.ndjson' | jq -r .n"
	[ "$output" = y ]
	run bash -o pipefail -c "weir-map -f ndjson -k .n 'r=.q[2].r' 'b=.a[-1].\"b c\"' < '$T/in.ndjson'"
	[ "$status" -eq 0 ]
	[ "$output" = '{"n":"x","r":5}
{"n":"y","r":6,"b":3}' ]
	# the same path as a group key
	run bash -o pipefail -c "weir-agg -g .q[2].r count < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"r":5,"count":1}
{"r":6,"count":1}' ]
}
