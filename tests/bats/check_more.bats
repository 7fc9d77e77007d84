#!/usr/bin/env bats
# weir-check rules dbt, Great Expectations and Soda users reach for:
# composite unique, relationships, schema, avg/min/max/sum, and dbt's
# warn_if/error_if thresholds; in the rules file, as flags, in every
# report format.

load helpers

# verdict ARGS...: "status checked failed" of every rule, one line each
verdict() {
	weir-check --report json "$@" | jq -r '.rules[] | "\(.status) \(.checked) \(.failed)"'
}

orders() {
	ndjson '{"id":1,"line":1,"user":"u1","amount":5}' \
	    '{"id":1,"line":2,"user":"u2","amount":15}' \
	    '{"id":2,"line":1,"user":"u9","amount":25,"note":"x"}' \
	    '{"id":1,"line":2,"user":null,"amount":"n/a"}'
	printf '%s\n' '{"uid":"u1","name":"Ann"}' '{"uid":"u2","name":"Bob"}' \
	    > "$T/users.ndjson"
}

@test "composite unique: {unique: [.a, .b]} and --unique '[.a, .b]'" {
	orders
	cat > "$T/r.yaml" <<-'Y'
	records:
	  - unique: [.id, .line]
	  - {unique: [.id, .user]}
	Y
	run verdict "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$output" = $'fail 4 1\npass 3 0' ]
	run verdict --unique '[.id, .line]' --unique '[ .id , .["line"] ]' "$T/in.ndjson"
	[ "$output" = $'fail 4 1\nfail 4 1' ]
	run weir-check --report json --unique '[.id, .line]' "$T/in.ndjson"
	[ "$(echo "$output" | jq -c '[.rules[0].id, .rules[0].samples[0].what]')" = '["[.id, .line]:unique","[1,2]"]' ]
	# .a,.b stays a bad path (issue 11 item 7), with a hint to the list
	run weir-check --unique '.id,.line' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"write a list [.a, .b]"* ]]
	# a composite key none of whose records has every part
	run weir-check --unique '[.id, .lne]' "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"path [.id, .lne] matched no record"* ]]
	printf 'records:\n  - unique\n' > "$T/bad.yaml"
	run weir-check "$T/bad.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	printf 'records:\n  - {unique: .id}\n' > "$T/bad.yaml"
	run weir-check "$T/bad.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad.yaml:2:14: unique: under records: expected a list"* ]]
}

@test "relationships: values present in a reference table (the weir-join table loader)" {
	orders
	cat > "$T/r.yaml" <<-Y
	fields:
	  .user: [{relationships: {to: $T/users.ndjson, field: .uid}}]
	records:
	  - relationships: {path: .user, to: $T/users.ndjson, field: .uid, }
	Y
	run verdict "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$output" = $'fail 3 1\nfail 3 1' ]
	run weir-check --relationships ".user=$T/users.ndjson:.uid" "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"in.ndjson:3: \"u9\""* ]]
	# every user known: passes; frames in work as well as text
	run bash -o pipefail -c "weir-source '$T/users.ndjson' > '$T/users.weir' && head -2 '$T/in.ndjson' | weir-source | weir-check --relationships '.user=$T/users.weir:.uid'"
	echo "$output"
	[ "$status" -eq 0 ]
	# a composite key: both parts must match one row
	printf '%s\n' '{"o":1,"l":1}' '{"o":1,"l":2}' > "$T/lines.ndjson"
	run verdict --relationships "[.id, .line]=$T/lines.ndjson:[.o, .l]" "$T/in.ndjson"
	[ "$output" = "fail 4 1" ]
	# a missing table is a configuration error; a field it lacks, a data error
	run weir-check --relationships ".user=$T/nope.ndjson:.uid" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"nope.ndjson: No such file"* ]]
	run weir-check --relationships ".user=$T/users.ndjson:.id" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"users.ndjson record 1: table record has no join key"* ]]
	printf 'records:\n  - relationships: {to: x.ndjson}\n' > "$T/bad.yaml"
	run weir-check "$T/bad.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad.yaml:2:20: relationships: give the field as path:"* ]]
}

@test "schema: required and allowed fields" {
	orders
	cat > "$T/r.yaml" <<-'Y'
	records:
	  - schema: {required: [.id, .user, .amount]}
	  - schema: {allowed: [.id, .line, .user, .amount]}
	  - {schema: {required: [.id, .ts]}, id: needs-ts}
	Y
	run verdict "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$output" = $'pass 4 0\nfail 4 1\nfail 4 4' ]
	run weir-check --report json "$T/r.yaml" "$T/in.ndjson"
	[ "$(echo "$output" | jq -r '.rules[1].samples[0].what')" = "unexpected field 'note'" ]
	[ "$(echo "$output" | jq -r '.rules[2].samples[0].what')" = "missing .ts" ]
	run verdict --required .id --required '[.id, .line]' --allowed '[.id, .line, .user, .amount, .note]' "$T/in.ndjson"
	[ "$output" = $'pass 4 0\npass 4 0\npass 4 0' ]
	run weir-check --allowed '[.id, .a.b]' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'.a.b' is not a top-level field"* ]]
}

@test "avg, min, max and sum thresholds" {
	orders
	cat > "$T/r.yaml" <<-'Y'
	fields:
	  .amount: [{avg: [1, 100]}, {min: {min: 10}}, {max: '..25'}]
	records:
	  - avg: {path: .amount, min: 20, max: 100}
	  - sum: {path: .amount, max: 40}
	Y
	# the string "n/a" is not a number: skipped, not averaged
	run weir-check --report json "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$(echo "$output" | jq -c '[.rules[] | [.status, .value, .skipped]]')" = \
	    '[["pass",15,1],["fail",5,1],["pass",25,1],["fail",15,1],["fail",45,1]]' ]
	[ "$(echo "$output" | jq -r '.rules[3].detail')" = "avg 15, expected 20..100" ]
	run verdict --avg .amount=10..20 --min .amount=5.. --max .amount=..24 --sum .amount=45..45 "$T/in.ndjson"
	[ "$output" = $'pass 1 0\npass 1 0\nfail 1 1\npass 1 0' ]
	# no number at all fails (nothing averaged is not a pass)
	run weir-check --avg .user=0..1 "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no numbers at .user"* ]]
	run weir-check --avg .amount=5 "$T/in.ndjson"
	[ "$status" -eq 2 ]
	# per window, like count
	printf '%s\n' '{"ts":1000,"v":1}' '{"ts":1500,"v":3}' '{"ts":2100,"v":10}' > "$T/w.ndjson"
	run bash -o pipefail -c "weir-source --time .ts --max-delay 0 '$T/w.ndjson' | weir-check --report json --window 1s --avg .v=0..5 | jq -c '[.rules[0].windows, .rules[0].windows_failed, .rules[0].detail]'"
	echo "$output"
	[[ "$output" == '[2,1,"window [1970-01-01T00:00:02'*'avg 10, expected 0..5"]' ]]
}

@test "warn_if and error_if, by count or fraction, as dbt reads them" {
	orders
	# .id repeats twice among 4: 2 failures, 50%
	while IFS='|' read -r mods want rc; do
		printf 'fields:\n  .id: [{unique: true%s}]\n' "$mods" > "$T/r.yaml"
		got=$( (weir-check --report json "$T/r.yaml" "$T/in.ndjson" ||
		    true) | jq -r '.rules[0].status')
		weir-check "$T/r.yaml" "$T/in.ndjson" > /dev/null && st=0 || st=$?
		if [ "$got $st" != "$want $rc" ]; then
			echo "'$mods': got '$got $st' want '$want $rc'"
			return 1
		fi
	done <<-'TABLE'
	|fail|1
	, error_if: ">2"|warn|0
	, error_if: ">2", warn_if: ">5"|pass|0
	, error_if: ">=2"|fail|1
	, error_if: ">50%", warn_if: ">10%"|warn|0
	, error_if: ">=50%"|fail|1
	, warn_if: ">5"|fail|1
	, severity: warn, warn_if: ">5"|pass|0
	, severity: warn, error_if: ">0", warn_if: ">1"|warn|0
	TABLE
	run weir-check --unique .id --error-if '>60%' --warn-if '>=1' "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warn   error    .id:unique "*"2 of 4 values failed (warn_if >=1)"* ]]
	run weir-check --error-if '>1' --unique .id "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-check --unique .id --error-if 'lots' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	printf 'fields:\n  .id: [{unique: true, mostly: 90%%, warn_if: ">1"}]\n' > "$T/r.yaml"
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"give either mostly or warn_if/error_if"* ]]
	# on aggregate rules they count failing windows
	printf '%s\n' '{"ts":1000}' '{"ts":2000}' '{"ts":2500}' '{"ts":3000}' '{"ts":3500}' > "$T/w.ndjson"
	run bash -o pipefail -c "weir-source --time .ts --max-delay 0 '$T/w.ndjson' | weir-check --window 1s --count 2.. --error-if '>50%' --warn-if '>0'"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warn   error    count "*"3          1  window [1970-01-01T00:00:01.000Z, 1970-01-01T00:00:02.000Z): 1 record, expected 2.."* ]]
	[[ "$output" != *"expected 2.. error_if"* ]]
}

@test "every report format shows the new rules and warn levels" {
	orders
	cat > "$T/r.yaml" <<-Y
	suite: more
	fields:
	  .id: [{unique: true, error_if: ">50%", warn_if: ">0"}]
	  .user: [{relationships: {to: $T/users.ndjson, field: .uid}}]
	  .amount: [{avg: [20, 30]}]
	records:
	  - schema: {allowed: [.id, .line, .user, .amount]}
	Y
	run weir-check --report json "$T/r.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -c '[.rules_failed, .rules_warned, .rules[0].warn_if, .rules[0].error_if, .rules[2].value]')" = '[3,1,">0",">50%",15]' ]
	[ "$(echo "$output" | jq -r '.rules[1].args')" = "to $T/users.ndjson .uid" ]
	run weir-check --report junit "$T/r.yaml" "$T/in.ndjson"
	echo "$output" | xmllint --noout -
	[ "$(echo "$output" | grep -c '<failure')" -eq 3 ]
	[[ "$output" == *'<system-out>warning (warn_if): rule unique on .id: error_if &gt;50% warn_if &gt;0'* ]]
	[[ "$output" == *'type="relationships"'* ]]
	[[ "$output" == *'avg 15, expected 20..30'* ]]
	run weir-check --report github "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[[ "$output" == *"::warning file=$T/in.ndjson,line=2,title=.id%3Aunique::unique error_if >50%25 warn_if >0 failed: 1"* ]]
	[[ "$output" == *"::error file=$T/in.ndjson,line=3,title=.user%3Arelationships::relationships to $T/users.ndjson .uid failed: \"u9\""* ]]
	[[ "$output" == *"::error title=.amount%3Aavg::suite more: avg 20..30 failed: avg 15, expected 20..30"* ]]
	[[ "$output" == *"unexpected field 'note'"* ]]
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	[ "${lines[0]}" = "suite more: 4 records, 4 rules, 3 failed, 1 warned" ]
}
