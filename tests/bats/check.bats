#!/usr/bin/env bats
# weir-check: every rule (pass and fail), modifiers, exit statuses,
# --pass, --reject, --window, frames in.

load helpers

# verdict ARGS...: run weir-check ARGS on $T/in.ndjson with a JSON report;
# prints "status checked failed" of every rule, one line each.
verdict() {
	# exit 1 when the rule fails: the report is what is compared
	{ weir-check --report json --now 2024-01-01T01:00:00Z "$@" \
	    "$T/in.ndjson" || [ $? -eq 1 ]; } |
	    jq -r '.rules[] | "\(.status) \(.checked) \(.failed)"'
}

# Table: rule flag, its argument, expected "status checked failed"
# for the same six records.
@test "each rule from flags passes and fails as it should" {
	ndjson '{"id":1,"user":"ann","st":"paid","amount":5,"email":"a@x.io","ts":"2024-01-01T00:50:00Z"}' \
	    '{"id":2,"user":null,"st":"paid","amount":-1,"email":"b@x.io","ts":1704070000000}' \
	    '{"id":3,"st":"lost","amount":7.5,"email":"bad","ts":"2024-01-01T00:00:00Z"}' \
	    '{"id":3,"user":"bob","st":"new","amount":"9","email":"c@x.io"}' \
	    '{"id":"3","user":"cy","st":null,"amount":100,"email":"d@x.io"}' \
	    '{"id":4.0,"user":"dee","st":"paid","amount":0,"email":null}'
	while IFS='|' read -r flag arg want; do
		got=$(verdict "--$flag" "$arg")
		if [ "$got" != "$want" ]; then
			echo "--$flag $arg: got '$got' want '$want'"
			return 1
		fi
	done <<-'TABLE'
	not-null|.user|fail 6 2
	not-null|.id|pass 6 0
	unique|.id|fail 6 1
	unique|.user|pass 4 0
	in|.st=paid,new,lost|pass 5 0
	in|.st=paid,new|fail 5 1
	range|.amount=0..100|fail 6 2
	range|.amount=-1..|fail 6 1
	range|.amount=..100|fail 6 1
	regex|.email=^[^@ ]+@[^@ ]+$|fail 5 1
	regex|.user=^[a-z]+$|pass 4 0
	type|.id=integer|fail 6 1
	type|.id=number,string|pass 6 0
	type|.amount=number|fail 6 1
	type|.user=string,null|pass 5 0
	freshness|.ts=15m|pass 1 0
	freshness|.ts=5m|fail 1 1
	count|6..6|pass 1 0
	count|7..|fail 1 1
	count|..5|fail 1 1
	expr|.amount >= 0 or .user == null|fail 6 1
	expr|exists(.id)|pass 6 0
	TABLE
}

@test "unique compares values, not their spelling: 1, 1.0 and \"1\"" {
	ndjson '{"id":1}' '{"id":1.0}' '{"id":"1"}' '{"id":"a\u0062"}' '{"id":"ab"}' '{"id":[1]}' '{"id":[1]}'
	run verdict --unique .id
	[ "$output" = "fail 7 3" ]
}

@test "mostly tolerates a share of failures" {
	for i in $(seq 1 999); do echo "{\"a\":$i}"; done > "$T/in.ndjson"
	echo '{"a":-1}' >> "$T/in.ndjson"
	printf 'fields:\n  .a: [{range: [0, null], mostly: 99.9%%}]\n' > "$T/r1.yaml"
	printf 'fields:\n  .a: [{range: [0, null], mostly: 0.9995}]\n' > "$T/r2.yaml"
	run weir-check "$T/r1.yaml" "$T/in.ndjson"
	[ "$status" -eq 0 ]
	run weir-check "$T/r2.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 of 1000 values failed"* ]]
}

@test "exit status: 0 pass, 1 error rule fails, 0 when only a warn rule fails" {
	ndjson '{"a":1}' '{"a":null}'
	run weir-check --not-null .a "$T/in.ndjson"
	[ "$status" -eq 1 ]
	run weir-check --not-null .b --count 2..2 "$T/in.ndjson"
	[ "$status" -eq 1 ]
	run weir-check --count 2..2 "$T/in.ndjson"
	[ "$status" -eq 0 ]
	printf 'fields:\n  .a: [{not_null: true, severity: warn}]\n' > "$T/r.yaml"
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warn   warn"*".a:not_null"* ]]
}

@test "exit status: 2 usage and rules errors, 3 unreadable input" {
	ndjson '{"a":1}'
	run weir-check "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-check
	[ "$status" -eq 2 ]
	[[ "$output" == *"no rules"* ]]
	run weir-check --range .a=5..1 "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--range: expected PATH=LO..HI"* ]]
	run weir-check --report xml --count 1.. "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-check "$T/missing.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-check --count 1.. "$T/nonexistent.ndjson"
	[ "$status" -eq 3 ]
	# a frame stream that ends without END: upstream died
	weir-source "$T/in.ndjson" | head -c 12 > "$T/cut.wf"
	run weir-check --count 1.. "$T/cut.wf"
	[ "$status" -eq 3 ]
}

@test "bad input lines follow --on-error" {
	ndjson '{"a":1}' 'not json' '{"a":2}'
	run weir-check --count 2..2 "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"in.ndjson:2: invalid JSON"* ]]
	run weir-check --on-error skip --count 2..2 "$T/in.ndjson"
	[ "$status" -eq 0 ]
}

@test "rules file and flags together; several input files; stdin" {
	ndjson '{"a":1}' '{"a":2}'
	cp "$T/in.ndjson" "$T/b.ndjson"
	printf 'suite: s\nfields:\n  .a: [not_null]\n' > "$T/r.yaml"
	run bash -o pipefail -c "weir-check --report json -r '$T/r.yaml' --unique .a '$T/in.ndjson' '$T/b.ndjson' | jq -c '[.suite,.records,[.rules[]|.id,.status]]'"
	[ "$output" = '["s",4,[".a:not_null","pass",".a:unique","fail"]]' ]
	run bash -o pipefail -c "weir-check --count 2..2 < '$T/in.ndjson'"
	[ "$status" -eq 0 ]
}

@test "frames in: positions are record numbers" {
	ndjson '{"a":1}' '{"a":null}'
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-check --not-null .a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"stdin record 2: null"* ]]
}

@test "--pass forwards every record, watermark and END; report on stderr" {
	ndjson '{"a":1,"t":1000}' '{"a":null,"t":2000}' '{"a":3,"t":3000}'
	weir-source --time .t --max-delay 0 "$T/in.ndjson" |
	    { weir-check --pass --not-null .a 2> "$T/report" || [ $? -eq 1 ]; } |
	    weir-sink -f envelope > "$T/out"
	[ "$(wc -l < "$T/out")" -eq 3 ]
	want=$(weir-source --time .t --max-delay 0 "$T/in.ndjson" | weir-sink -f envelope)
	[ "$(cat "$T/out")" = "$want" ]
	grep -q "FAIL" "$T/report"
	# frames on stdout keep watermarks: weir-sink -f framed round trip
	weir-source --time .t --max-delay 0 "$T/in.ndjson" | weir-sink -f framed > "$T/a.wf"
	weir-check --pass --count 1.. < "$T/a.wf" 2>/dev/null | weir-sink -f framed > "$T/b.wf"
	cmp "$T/a.wf" "$T/b.wf"
}

@test "--reject writes the failing records only" {
	ndjson '{"a":1}' '{"a":-2}' '{"a":3}' '{"b":1}'
	run weir-check --range .a=0.. --not-null .a --reject "$T/rej" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/rej")" = $'{"a":-2}\n{"b":1}' ]
}

@test "--window: rules per tumbling window, empty windows count as 0" {
	printf '%s\n' '{"ts":1000,"value":{"a":1}}' '{"ts":2000,"value":{"a":1}}' \
	    '{"ts":65000,"value":{"a":2}}' '{"ts":190000,"value":{"a":3}}' \
	    '{"ts":191000,"value":{"a":4}}' > "$T/in.env"
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' | weir-check --report json --window 1m --count 2.. --unique .a |
	    jq -c '.rules[]|[.id,.status,.windows,.windows_failed,[.samples[].window[0]]]'"
	[ "${lines[0]}" = '["count","fail",4,2,[60000,120000]]' ]
	[ "${lines[1]}" = '[".a:unique","fail",4,1,[0]]' ]
	# without --window, one scope: 5 records, a=1 twice
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' | weir-check --count 2.. --unique .a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ok     error    count"* ]]
}

@test "--window: records from weir-window are judged in their own window, when the watermark closes it" {
	printf '%s\n' '{"ts":5,"window":[0,10],"value":{"a":1}}' '{"ts":6,"window":[0,10],"value":{"a":1}}' \
	    '{"ts":15,"window":[10,20],"value":{"a":1}}' > "$T/in.env"
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' | weir-check --report json --window 10ms --unique .a |
	    jq -c '.rules[]|[.status,.windows,.windows_failed,.samples[0].window]'"
	[ "$output" = '["fail",2,1,[0,10]]' ]
}

@test "freshness of event time, and in windows against the window end" {
	printf '%s\n' '{"ts":1704067200000,"value":{}}' '{"ts":1704069000000,"value":{}}' > "$T/in.env"
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' | weir-check --now 2024-01-01T00:40:00Z --freshness 15m"
	[ "$status" -eq 0 ]
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' | weir-check --now 2024-01-01T01:00:00Z --freshness 15m"
	[ "$status" -eq 1 ]
	[[ "$output" == *"newest event time is 2024-01-01T00:30:00.000Z, 30m old (limit 15m)"* ]]
}

@test "unique: approx switches to HyperLogLog at the memory bound, exact stops there" {
	awk 'BEGIN { for (i = 0; i < 60000; i++) printf "{\"id\":\"user-%d\"}\n", i;
	    for (i = 0; i < 3000; i++) printf "{\"id\":\"user-%d\"}\n", i }' > "$T/in.ndjson"
	printf 'fields:\n  .id: [{unique: true, approx: true}]\n' > "$T/approx.yaml"
	run weir-check --unique-memory 256K --report json "$T/approx.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"counting duplicates with HyperLogLog"* ]]
	json=$(weir-check --unique-memory 256K --report json "$T/approx.yaml" "$T/in.ndjson" 2>/dev/null || true)
	[ "$(echo "$json" | jq -r '.rules[0].approximate')" = true ]
	dups=$(echo "$json" | jq -r '.rules[0].failed')
	[ "$dups" -gt 2500 ] && [ "$dups" -lt 3500 ]
	# the same data without duplicates passes in approximate mode
	head -60000 "$T/in.ndjson" > "$T/uniq.ndjson"
	run weir-check --unique-memory 256K "$T/approx.yaml" "$T/uniq.ndjson"
	[ "$status" -eq 0 ]
	# exact (no approx): cannot check past the bound, so the rule fails
	run weir-check --unique-memory 256K --unique .id "$T/uniq.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not checked past"* ]]
	# the same from a flag
	run weir-check --unique-memory 256K --unique-approx .id "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"about "*" duplicate values among 63000 (HyperLogLog estimate"* ]]
	# with room enough it is exact
	run weir-check --unique .id "$T/uniq.ndjson"
	[ "$status" -eq 0 ]
}

@test "--window behind weir-window: failing windows agree with counts made by jq" {
	weir-source --gen clicks --count 5000 | weir-sink -f ndjson > "$T/clicks.ndjson"
	want=$(jq -s -c '[group_by(.ts - (.ts % 1000))[] | select(length < 950) | .[0].ts - (.[0].ts % 1000)]' "$T/clicks.ndjson")
	got=$(weir-source --time .ts --max-delay 2s "$T/clicks.ndjson" | weir-window tumbling 1s |
	    weir-check --report json --window 1s --count 950.. | jq -c '[.rules[0].samples[].window[0]]' || true)
	[ "$want" != "[]" ]
	[ "$got" = "$want" ]
}
