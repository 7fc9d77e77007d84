#!/usr/bin/env bats
# weir-check: rules files.  Every problem of an invalid file is reported,
# each as file:line:col: message, and the exit status is 2.

load helpers

@test "an invalid rules file: every problem, each at its line and column" {
	cat > "$T/bad.yaml" <<-'YAML'
	suite: broken
	fields:
	  .order_id: [not_nul, unique]
	  .status:   [{in: []}]
	  .amount:   [{range: [10, 1]}, {range: [0, 5], mostly: 120%}]
	  .email:    [{regex: '^[a-z'}]
	  .kind:     [{type: strng}]
	  .ts:       [{freshness: soon}]
	  bad path:  [not_null]
	  .x:        [{count: [1, 2]}]
	records:
	  - {count: [1, 5000000], severity: fatal}
	  - {expr: '.amount >= >= 0'}
	  - not_null
	  - {count: [1, 2], colour: red}
	  - {count: [0, 1], id: dup}
	  - {count: [0, 1], id: dup}
	  - {unique: true, approx: maybe}
	extra: 1
	YAML
	ndjson '{"a":1}'
	run weir-check "$T/bad.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	f="$T/bad.yaml"
	want=(
	"$f:3:15: unknown rule 'not_nul'"
	"$f:4:20: in: expected a non-empty list"
	"$f:5:23: range: lower bound is above the upper bound"
	"$f:5:57: mostly: expected a share like 99.9% or 0.999"
	"$f:6:23: regex '^[a-z': missing terminating ]"
	"$f:7:22: type: unknown type 'strng'"
	"$f:8:27: freshness: expected a duration like 15m, got 'soon'"
	"$f:9:3: bad field path 'bad path'"
	"$f:10:16: 'count' is a record rule: put it under records:"
	"$f:12:37: severity: expected error or warn"
	"$f:13:24: expr: column 12:"
	"$f:14:5: 'not_null' checks a field: put it under fields:"
	"$f:15:21: unknown key 'colour'"
	"$f:17:25: id: 'dup' is already used by another rule"
	"$f:18:14: unique: under records: expected a list of paths [.a, .b]"
	"$f:18:28: approx: expected true or false"
	"$f:19:1: unknown key 'extra'"
	"weir-check: $f: 17 problems in the rules file"
	)
	for i in "${!want[@]}"; do
		if [[ "${lines[$i]}" != "${want[$i]}"* ]]; then
			echo "line $i: got '${lines[$i]}' want '${want[$i]}...'"
			return 1
		fi
	done
	[ "${#lines[@]}" -eq "${#want[@]}" ]
}

@test "YAML syntax errors carry the parser's position" {
	printf 'fields:\n  .a: [not_null\n' > "$T/syn.yaml"
	run weir-check --validate "$T/syn.yaml"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "$T/syn.yaml:3:1: YAML: did not find expected ',' or ']'"* ]]
	printf 'fields:\n  .a: [not_null]\n\t.b: [unique]\n' > "$T/tab.yaml"
	run weir-check --validate "$T/tab.yaml"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "$T/tab.yaml:3:1: YAML: "* ]]
}

@test "structural problems: empty file, not a mapping, no rules, wrong shapes" {
	while IFS='|' read -r yaml want; do
		printf -- "$yaml" > "$T/r.yaml"
		run weir-check --validate "$T/r.yaml"
		if [ "$status" -ne 2 ] || [[ "${lines[0]}" != "$T/r.yaml:$want"* ]]; then
			echo "'$yaml': got status $status, '${lines[0]}' want '$want'"
			bad=1
		fi
	done <<-'TABLE'
	|1:1: empty rules file
	- a\n- b\n|1:1: expected a mapping with suite, fields and records
	suite: x\n|1:1: no rules: give fields: or records:
	fields: [1]\n|1:9: fields: expected a mapping
	fields:\n  .a: {}\n|2:7: no rule in this item
	fields:\n  .a: [[not_null]]\n|2:8: expected a rule name or {rule: argument}, not a list
	fields:\n  .a: [{in: [1, [2]]}]\n|2:17: in: accepted values must be scalars
	fields:\n  .a: [{range: [x, 1]}]\n|2:17: range: lower bound must be a number or null
	fields:\n  .a: [{range: [null, null]}]\n|2:16: range: give at least one bound
	fields:\n  .a: [{not_null: 3}]\n|2:19: not_null takes no argument
	fields:\n  .a: [{not_null: true, range: [1, 2]}]\n|2:25: two rules in one item
	fields:\n  .a: [not_null]\n  .a: [unique]\n|3:3: field '.a' appears twice
	fields:\n  .a: [{not_null: true, mostly: 1.5}]\n|2:33: mostly: expected a share
	fields:\n  .a: [{in: [a], unit: s}]\n|2:18: unit: only the freshness rule takes it
	records:\n  - {count: [-1, 2]}\n|2:14: count: lower bound must be a whole number >= 0
	records:\n  - {count: 1.5}\n|2:13: count: expected a whole number >= 0
	suite: [a]\nfields:\n  .a: [not_null]\n|1:8: suite: expected a name
	TABLE
	[ -z "$bad" ]
}

@test "a valid rules file: --validate, ids, single rules without a list" {
	cat > "$T/ok.yaml" <<-'YAML'
	suite: orders
	description: the orders feed
	fields:
	  .id: unique
	  .status: {in: [a, "b", 1, true, null]}
	  .amount: [{range: 0..100}, {range: [0, null], id: positive}]
	  .ts: [{freshness: 1h, unit: s}]
	records:
	  - {count: 10}
	  - {expr: '.amount > 0'}
	  - {expr: 'exists(.id)'}
	  - {freshness: 5m, severity: warning}
	YAML
	run weir-check --validate "$T/ok.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/ok.yaml: 9 rules ok" ]
	printf '%s\n' '{"id":1,"status":"b","amount":5,"ts":1}' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-check --report json '$T/ok.yaml' '$T/in.ndjson' | jq -r '.rules[] | .id + \" \" + .args'"
	[ "${lines[0]}" = ".id:unique " ]
	[ "${lines[1]}" = ".status:in [a, b, 1, true, null]" ]
	[ "${lines[2]}" = ".amount:range 0..100" ]
	[ "${lines[3]}" = "positive 0.." ]
	[ "${lines[4]}" = ".ts:freshness 1h" ]
	[ "${lines[5]}" = "count 10..10" ]
	[ "${lines[6]}" = "expr .amount > 0" ]
	[ "${lines[7]}" = "expr#2 exists(.id)" ]
	[ "${lines[8]}" = "freshness 5m" ]
}

@test "quoted scalars are strings: in ['1'] does not accept the number 1" {
	printf 'fields:\n  .a: [{in: ["1", "true"]}]\n' > "$T/r.yaml"
	ndjson '{"a":"1"}' '{"a":1}' '{"a":true}' '{"a":"true"}'
	run bash -o pipefail -c "weir-check --report json '$T/r.yaml' '$T/in.ndjson' | jq -c '[.rules[0].failed, [.rules[0].samples[].line]]'"
	[ "$output" = '[2,[2,3]]' ]
}
