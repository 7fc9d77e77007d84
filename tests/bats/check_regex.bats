#!/usr/bin/env bats
# Regular expressions are PCRE2 with bounded matching, in weir-check's
# regex rule and in weir-expr's matches() (weir-filter, weir-map).

load helpers

# long CHAR N [TAIL]: a JSON record {"s": CHAR x N + TAIL} on stdout
long() {
	python3 -c 'import json,sys; print(json.dumps({"s": sys.argv[1] * int(sys.argv[2]) + (sys.argv[3] if len(sys.argv) > 3 else "")}))' "$@"
}

@test "regex rules take Perl syntax: \\d, \\w, (?i)" {
	ndjson '{"id":"A-123","tag":"Blue_1","c":"GREEN"}' \
	    '{"id":"B-45","tag":"red","c":"green"}'
	run weir-check --regex '.id=^[A-Z]-\d{2,3}$' --regex '.tag=^\w+$' \
	    --regex '.c=(?i)^green$' "$T/in.ndjson"
	echo "$output"
	[ "$status" -eq 0 ]
	run weir-check --regex '.id=^[A-Z]-\d{3}$' "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *'"B-45"'* ]]
	cat > "$T/r.yaml" <<-'Y'
	fields:
	  .id: [{regex: '^\p{Lu}-\d+$'}]
	  .c: [{regex: '(?i)^GREEN$'}]
	Y
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	[ "$status" -eq 0 ]
}

@test "a bad pattern is refused at load, naming it" {
	ndjson '{"a":"x"}'
	run weir-check --regex '.a=(\d' "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"regex '(\\d': missing closing parenthesis"* ]]
	printf 'fields:\n  .a: [{regex: "(?<"}]\n' > "$T/r.yaml"
	run weir-check "$T/r.yaml" "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"r.yaml:2:16: regex '(?<'"* ]]
	run weir-filter 'matches(.a, "[z-a]")' < "$T/in.ndjson"
	[ "$status" -eq 2 ]
	[[ "$output" == *"regex '[z-a]'"* ]]
}

@test "matches() takes Perl syntax too" {
	ndjson '{"s":"Order 42"}' '{"s":"order x"}' '{"s":"ORDER 7"}'
	run bash -o pipefail -c "weir-filter 'matches(.s, \"(?i)^order \\\\d+\$\")' < '$T/in.ndjson' | weir-sink -f ndjson"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'{"s":"Order 42"}\n{"s":"ORDER 7"}' ]
}

@test "catastrophic backtracking ends fast with an error naming the pattern" {
	long a 5000 b > "$T/in.ndjson"
	long a 10 >> "$T/in.ndjson"
	LIMIT=20 run limit weir-filter 'matches(.s, "^(a*)*\\1$")' < "$T/in.ndjson"
	echo "$output" | cut -c1-300
	[ "$status" -eq 1 ]
	[[ "$output" == *"regex '^(a*)*\\1\$' hit its match limit"* ]]
	# --on-error skip: counted as a bad record, the rest goes on
	run bash -o pipefail -c "timeout 20 weir-filter --on-error skip 'matches(.s, \"^(a*)*\\\\1\$\")' < '$T/in.ndjson' | weir-sink -f ndjson | wc -l"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" -eq 1 ]
	[[ "$output" == *"skipped 1 bad record"* ]]
	LIMIT=20 run limit weir-check --regex '.s=^(a*)*\1$' "$T/in.ndjson"
	echo "$output" | cut -c1-300
	[ "$status" -eq 1 ]
	[[ "$output" == *"regex '^(a*)*\\1\$' hit its match limit"* ]]
	LIMIT=20 run limit weir-check --on-error skip --report json \
	    --regex '.s=^(a*)*\1$' "$T/in.ndjson"
	echo "$output" | cut -c1-300
	[ "$status" -eq 0 ]
	[[ "$output" == *"skipped 1 bad record"* ]]
	[ "$(echo "$output" | grep '^{' | jq -c '[.records, .rules[0].checked]')" = "[1,1]" ]
	LIMIT=20 run limit weir-check --expr 'matches(.s, "^(a*)*\\1$")' "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hit its match limit"* ]]
	LIMIT=20 run limit weir-map 'm=matches(.s, "^(a*)*\\1$")' < "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hit its match limit"* ]]
}

@test "an unanchored pattern on an 80,000-character value is fast" {
	long a 80000 > "$T/in.ndjson"
	long a 80000 @b.io >> "$T/in.ndjson"
	long ' a' 40000 >> "$T/in.ndjson"
	LIMIT=10 run limit weir-check --report json --regex '.s=[^@ ]+@[^@ ]+' "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -c '[.rules[0].checked, .rules[0].failed]')" = "[3,2]" ]
	run bash -o pipefail -c "timeout 10 weir-filter 'matches(.s, \"[^@ ]+@[^@ ]+\")' < '$T/in.ndjson' | weir-sink -f ndjson | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -eq 1 ]
}
