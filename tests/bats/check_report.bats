#!/usr/bin/env bats
# weir-check reports: text table, JSON, JUnit XML (valid, one testcase per
# rule, up to 20 sample positions), GitHub workflow annotations, -o FILE.

load helpers


mkdata() {
	cat > "$T/rules.yaml" <<-'YAML'
	suite: orders & co
	fields:
	  .id: [not_null, unique]
	  .amount: [{range: [0, 100]}]
	  .email: [{regex: '^[^@ ]+@[^@ ]+$', severity: warn}]
	records:
	  - {count: [1, null]}
	YAML
	{
		for i in $(seq 1 30); do echo "{\"id\":$i,\"amount\":-$i,\"email\":\"a@b\"}"; done
		echo '{"id":1,"amount":5,"email":"<bad> & \"quoted\""}'
	} > "$T/in.ndjson"
}

@test "text: a summary table, then where each failing rule failed" {
	mkdata
	run weir-check "$T/rules.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "suite orders & co: 31 records, 5 rules, 2 failed, 1 warned" ]
	[[ "${lines[1]}" == "STATUS SEVERITY RULE"*"CHECKED"*"FAILED  DETAIL" ]]
	[[ "${lines[2]}" == "ok     error    .id:not_null "*" 31          0" ]]
	[[ "${lines[3]}" == "FAIL   error    .id:unique "*" 31          1  1 of 31 values failed" ]]
	[[ "${lines[4]}" == "FAIL   error    .amount:range "*" 31         30  30 of 31 values failed" ]]
	[[ "${lines[5]}" == "warn   warn     .email:regex "*" 31          1  1 of 31 values failed" ]]
	[[ "${lines[6]}" == "ok     error    count "*" 1          0" ]]
	[ "${lines[7]}" = ".id:unique (unique) failed at:" ]
	[ "${lines[8]}" = "  $T/in.ndjson:31: 1" ]
	[ "${lines[10]}" = "  $T/in.ndjson:1: -1" ]
	[ "${lines[15]}" = "  ... 30 failures in all" ]
}

@test "json: the whole result, machine-readable" {
	mkdata
	run weir-check --report json "$T/rules.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.suite == "orders & co" and .passed == false and .records == 31
	    and .rules_failed == 2 and .rules_warned == 1 and (.rules | length) == 5' >/dev/null
	echo "$output" | jq -e '.rules[2] | .id == ".amount:range" and .rule == "range" and
	    .field == ".amount" and .args == "0..100" and .status == "fail" and .failed == 30 and
	    (.samples | length) == 20 and .samples[0].line == 1 and .samples[19].line == 20 and
	    .samples[0].what == "-1" and (.defined_at | endswith("rules.yaml:4:14"))' >/dev/null
	echo "$output" | jq -e '.rules[3] | .status == "warn" and .samples[0].what == "\"<bad> & \\\"quoted\\\"\""' >/dev/null
	echo "$output" | jq -e '.rules[4] | .status == "pass" and .field == null' >/dev/null
}

@test "junit: valid XML, one testcase per rule, up to 20 failing positions" {
	mkdata
	run weir-check --report junit -o "$T/junit.xml" "$T/rules.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	xmllint --noout "$T/junit.xml"
	[ "$(xmllint --xpath 'count(//testcase)' "$T/junit.xml")" -eq 5 ]
	[ "$(xmllint --xpath 'count(//testcase/failure)' "$T/junit.xml")" -eq 2 ]
	[ "$(xmllint --xpath 'string(//testsuite/@failures)' "$T/junit.xml")" = 2 ]
	[ "$(xmllint --xpath 'string(//testsuite/@name)' "$T/junit.xml")" = "orders & co" ]
	msg=$(xmllint --xpath 'string(//testcase[@name=".amount:range"]/failure/@message)' "$T/junit.xml")
	[[ "$msg" == "range 0..100 failed: 30 of 31 values failed; at $T/in.ndjson:1 (-1), "* ]]
	[[ "$msg" == *"$T/in.ndjson:20 (-20)" ]]
	[[ "$msg" != *"in.ndjson:21"* ]]
	# the warning is not a failure, but is there to read
	out=$(xmllint --xpath 'string(//testcase[@name=".email:regex"]/system-out)' "$T/junit.xml")
	[[ "$out" == "warning (severity warn): rule regex on .email"*'"<bad> & \"quoted\""'* ]]
	# all passing: no failure elements
	run weir-check --report junit --count 1.. "$T/in.ndjson"
	[ "$status" -eq 0 ]
	echo "$output" | xmllint --noout -
	[[ "$output" != *"<failure"* ]]
}

@test "github: annotations at the failing lines, escaped as workflow commands" {
	mkdata
	run weir-check --report github "$T/rules.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	f=$(printf '%s' "$T/in.ndjson" | sed 's/:/%3A/g; s/,/%2C/g')
	[ "${lines[0]}" = "::error file=$f,line=31,title=.id%3Aunique::unique failed: 1 (1 of 31 values failed)" ]
	[ "${lines[1]}" = "::error file=$f,line=1,title=.amount%3Arange::range 0..100 failed: -1 (30 of 31 values failed)" ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^::error ')" -eq 21 ]
	[[ "${lines[21]}" == "::warning file=$f,line=31,title=.email%3Aregex::regex"* ]]
	[ "${lines[22]}" = "suite orders & co: 31 records, 5 rules, 2 failed, 1 warned" ]
	# stdin and frames have no file line: one annotation for the rule
	run bash -o pipefail -c "weir-source '$T/in.ndjson' | weir-check --report github --range .amount=0..100"
	[ "${lines[0]}" = "::error title=.amount%3Arange::suite weir-check: range 0..100 failed: 30 of 31 values failed; at stdin record 1 (-1), stdin record 2 (-2)$(for i in $(seq 3 20); do printf ', stdin record %d (-%d)' $i $i; done)" ]
	# a percent sign and a newline in the message are escaped
	printf '{"a":"x%%\\ny"}\n' > "$T/p.ndjson"
	run weir-check --report github --in .a=z "$T/p.ndjson"
	[[ "${lines[0]}" == *'failed: "x%25\ny" (1 of 1 values failed)' ]]
}

@test "-o: the report goes to the file, the exit status is the verdict" {
	mkdata
	run weir-check --report json -o "$T/r.json" --count 1.. "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	jq -e '.passed' "$T/r.json" >/dev/null
	run weir-check -o "$T/nodir/r.json" --count 1.. "$T/in.ndjson"
	[ "$status" -eq 3 ]
}

@test "several reports from one pass; -o names the report before it, or the next" {
	mkdata
	run weir-check -o "$T/a.xml" --report junit --report json -o "$T/b.json" \
	    --report github "$T/rules.yaml" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "::error file="* ]]
	xmllint --noout "$T/a.xml"
	jq -e '.passed == false' "$T/b.json" >/dev/null
	run weir-check -o "$T/t.txt" --count 1.. "$T/in.ndjson"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$(head -1 "$T/t.txt")" == "suite weir-check: 31 records"* ]]
	run weir-check -o "$T/x" -o "$T/y" --count 1.. "$T/in.ndjson"
	[ "$status" -eq 2 ]
}
