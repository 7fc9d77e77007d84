#!/usr/bin/env bats
# weir-map --where EXPR: keep only the records for which EXPR is true,
# tested on the record as it came in, before the edits (SQL's WHERE before
# its SELECT list): dropped records, with --keep and NAME=EXPR, missing
# fields, --on-error, usage errors, and checkpoints (--state, SIGKILLs).

load helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"

@test "--where keeps the records for which EXPR is true, in order" {
	ndjson '{"n":1,"a":5}' '{"n":2,"a":50}' '{"n":3,"a":null}' \
	    '{"n":4}' '{"n":5,"a":"x"}' '{"n":6,"a":51}' 'not json' '[1,2]'
	run bash -o pipefail -c "weir-map -f ndjson --on-error skip --where '.a > 10' < '$T/in.ndjson' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = $'{"n":2,"a":50}\n{"n":6,"a":51}' ]
	# missing, null and false are not true; every other value is
	run bash -o pipefail -c "weir-map -f ndjson --on-error skip --where '.a' < '$T/in.ndjson' 2>/dev/null"
	[ "$output" = $'{"n":1,"a":5}\n{"n":2,"a":50}\n{"n":5,"a":"x"}\n{"n":6,"a":51}' ]
	run bash -o pipefail -c "weir-map -f ndjson --on-error skip --where 'false' < '$T/in.ndjson' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a missing field: comparisons with it are false, exists() asks" {
	ndjson '{"n":1,"a":5}' '{"n":2}' '{"n":3,"a":{"b":1}}'
	run weir-map -f ndjson --where '.nope == 1' < "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run weir-map -f ndjson --where '.nope != 1' < "$T/in.ndjson"
	[ -z "$output" ]
	run weir-map -f ndjson --where 'not exists(.a)' < "$T/in.ndjson"
	[ "$output" = '{"n":2}' ]
	run weir-map -f ndjson --where '.a.b == 1' < "$T/in.ndjson"
	[ "$output" = '{"n":3,"a":{"b":1}}' ]
}

@test "--where sees the record as it came in, before --keep, --drop and NAME=EXPR" {
	ndjson '{"user":"ann","amount":12.5,"x":1}' '{"user":"bob","amount":60,"x":2}' \
	    '{"user":"cy","amount":70,"x":3}'
	# the field tested is not kept, and another is set to what passes
	run weir-map -f ndjson --where '.amount > 50' -k .user < "$T/in.ndjson"
	[ "$output" = $'{"user":"bob"}\n{"user":"cy"}' ]
	run weir-map -f ndjson --where '.amount > 50' 'amount=.amount * 2' -d .x < "$T/in.ndjson"
	[ "$output" = $'{"user":"bob","amount":120}\n{"user":"cy","amount":140}' ]
	# an assignment does not change what --where sees
	run weir-map -f ndjson 'amount=0' --where '.amount > 50' -k .user < "$T/in.ndjson"
	[ "$output" = $'{"user":"bob","amount":0}\n{"user":"cy","amount":0}' ]
	run weir-map -f ndjson --where '.x != 2' --rename .user=who -K .who < "$T/in.ndjson"
	[ "$output" = $'{"amount":12.5,"x":1,"who":"ann"}\n{"amount":70,"x":3,"who":"cy"}' ]
	# repeated: all of them
	run weir-map -f ndjson --where '.amount > 50' --where '.user != "bob"' -k .user < "$T/in.ndjson"
	[ "$output" = '{"user":"cy"}' ]
}

@test "the same output as weir-filter | weir-map, key and time kept" {
	weir-source --gen clicks --count 5000 --seed 4 > "$T/in.wf"
	weir-filter '.amount > 40 and .page != "/"' < "$T/in.wf" |
	    weir-map -k .user,.amount 'c=.amount * 100' | weir-sink -f envelope > "$T/want"
	weir-map --where '.amount > 40 and .page != "/"' -k .user,.amount \
	    'c=.amount * 100' < "$T/in.wf" | weir-sink -f envelope > "$T/got"
	[ "$(wc -l < "$T/got")" -gt 100 ]
	cmp "$T/want" "$T/got"
	# watermarks are forwarded as weir-filter forwards them
	weir-filter '.amount > 40' < "$T/in.wf" | weir-sink -f framed > "$T/want.wf"
	weir-map --where '.amount > 40' < "$T/in.wf" | weir-sink -f framed > "$T/got.wf"
	cmp "$T/want.wf" "$T/got.wf"
}

@test "a record --where drops has no other expression evaluated" {
	# the second record's time is not a time: it would be bad input,
	# but --where drops it first
	ndjson '{"ok":true,"at":"2024-05-01T12:00:00Z"}' '{"ok":false,"at":"soon"}'
	run bash -o pipefail -c "weir-map --where '.ok' --time .at < '$T/in.ndjson' | weir-sink -f envelope | jq -c .ts"
	[ "$status" -eq 0 ]
	[ "$output" = 1714564800000 ]
	run weir-map --time .at < "$T/in.ndjson"
	[ "$status" -eq 1 ]
}

@test "--where failing on a record follows --on-error" {
	printf '{"s":"%s"}\n' "$(printf 'a%.0s' $(seq 5000))b" "aaaa" > "$T/in.ndjson"
	LIMIT=20 run limit weir-map --where 'matches(.s, "^(a*)*\\1$")' < "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hit its match limit"* ]]
	run bash -o pipefail -c "timeout 20 weir-map -f ndjson --on-error skip --where 'matches(.s, \"^(a*)*\\\\1\$\")' -k .s < '$T/in.ndjson' 2>'$T/err'"
	[ "$status" -eq 0 ]
	[ "$output" = '{"s":"aaaa"}' ]
	grep -q 'skipped 1 bad record' "$T/err"
	timeout 20 weir-map -f ndjson --on-error "$T/bad" --where 'matches(.s, "^(a*)*\\1$")' < "$T/in.ndjson" > /dev/null 2>&1
	[ "$(wc -l < "$T/bad")" -eq 1 ]
	grep -q '"s":"aaaaa' "$T/bad"
}

@test "a bad --where expression is a usage error with a caret, exit 2" {
	run weir-map --where '.a >' < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad expression in --where: column 5"* ]]
	[[ "$output" == *"^"* ]]
	run weir-map --where < /dev/null
	[ "$status" -eq 2 ]
	run weir-map --help
	[[ "$output" == *"--where EXPR"* ]]
}

@test "checkpoints: --where with --state, 10 random SIGKILLs, output equals an undisturbed run" {
	weir-source --gen clicks --count 40000 --seed 3 --max-delay 2s |
	    weir-map --where '.amount > 30' -k .user,.amount | weir-sink -o "$T/ref"
	[ "$(weir-sink -f ndjson < "$T/ref" | wc -l)" -gt 10000 ]
	cd "$T"
	limit $KILL --rounds 10 --seed 7 --min 50 --max 400 chain \
	    "weir-source --gen clicks --count 40000 --seed 3 --max-delay 2s --rate 50000 --checkpoint 100ms --state st" \
	    "weir-map --where '.amount > 30' -k .user,.amount --state st" \
	    "weir-sink -o out --state st"
	cmp "$T/ref" "$T/out"
	ls st/map/*.snap > /dev/null
}
