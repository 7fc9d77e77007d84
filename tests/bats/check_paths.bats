#!/usr/bin/env bats
# weir-check cannot pass by accident: a rule whose path matched no record
# fails (unless allow_missing), and rule paths are validated like
# weir-filter's.

load helpers

@test "a rule whose path matched no record fails, naming the path" {
	ndjson '{"order_id":1}' '{"order_id":2}'
	for flag in unique in range regex type; do
		case $flag in
		unique) arg=.ordr_id ;;
		in) arg=.ordr_id=1,2 ;;
		range) arg=.ordr_id=0..9 ;;
		regex) arg='.ordr_id=^[0-9]+$' ;;
		type) arg=.ordr_id=integer ;;
		esac
		run weir-check --$flag "$arg" "$T/in.ndjson"
		echo "--$flag: $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"path .ordr_id matched no record"* ]]
	done
	run weir-check --report json --unique .ordr_id "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '.rules[0].status')" = fail ]
	[ "$(echo "$output" | jq -r '.rules[0].matched')" = 0 ]
}

@test "a path that matched some record, or only nulls, is not 'no record'" {
	ndjson '{"a":null}' '{"b":1}'
	run weir-check --unique .a "$T/in.ndjson"
	[ "$status" -eq 0 ]
	run weir-check --unique .b "$T/in.ndjson"
	[ "$status" -eq 0 ]
}

@test "--allow-missing and allow_missing: true opt out, per run and per rule" {
	ndjson '{"order_id":1}'
	run weir-check --allow-missing --unique .ordr_id "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" == *"matched no record (allowed)"* ]]
	cat > "$T/r.yaml" <<-'Y'
	fields:
	  .coupon: [unique, {regex: '^C', allow_missing: true}]
	  .ordr_id: [{in: [1, 2], allow_missing: yes}]
	Y
	run weir-check --report json "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"allow_missing: expected true or false"* ]]
	sed -i 's/yes/true/' "$T/r.yaml"
	run weir-check --report json "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '[.rules[].status] | join(" ")')" = "fail pass pass" ]
}

@test "rule-flag paths are parsed like weir-filter's: bad ones exit 2" {
	ndjson '{"a":1,"b":2}'
	for p in '.a,.b' '.a b' 'a' '.a..b' '.a[' '.a.' ; do
		run weir-check --unique "$p" "$T/in.ndjson"
		echo "--unique '$p': $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"bad field path"* ]]
		run weir-filter "exists($p)" < "$T/in.ndjson"
		[ "$status" -eq 2 ]
	done
	run weir-check --in '.a b=1,2' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	run weir-check --regex '.a,.b=x' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	# quoted keys keep any character
	printf '%s\n' '{"a b":1,"a,b":2}' > "$T/q.ndjson"
	run weir-check --unique '.["a b"]' --unique '."a,b"' "$T/q.ndjson"
	[ "$status" -eq 0 ]
	run weir-filter -f ndjson 'exists(.["a b"]) and exists(."a,b")' < "$T/q.ndjson"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "rules-file field paths are validated the same way" {
	ndjson '{"a":1}'
	printf 'fields:\n  .a b: [unique]\n' > "$T/r.yaml"
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"r.yaml:2:3: bad field path '.a b'"* ]]
}

@test "a failing value does not hide the fields later rules read (records that are JSON text)" {
	a=$(printf 'a%.0s' $(seq 60))
	ndjson "{\"a\":\"$a\",\"b\":\"x\"}" "{\"a\":\"$a\",\"b\":\"x\"}"
	run bash -o pipefail -c "weir-source -f lines '$T/in.ndjson' | weir-check --report json --range .a=0..1 --unique .b | jq -c '[.rules[] | [.checked, .failed]]'"
	echo "$output"
	[ "$output" = "[[2,2],[2,1]]" ]
}
