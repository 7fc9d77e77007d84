#!/usr/bin/env bats
# The EXAMPLES of weir-check(1), run as written, and the CI example
# pipelines/ci-check.sh with the sample rules pipelines/checks/orders.yaml.

load helpers

REPO="$BATS_TEST_DIRNAME/../.."

# orders.ndjson: n good orders; "bad" adds a negative unrefunded amount,
# a repeated id and an unknown status.
orders() {
	local now
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for i in $(seq 1 50); do
		echo "{\"order_id\":$i,\"status\":\"paid\",\"amount\":$i.5,\"currency\":\"EUR\",\"email\":\"c$i@shop.example\",\"ts\":\"$now\"}"
	done
	if [ "${1:-}" = bad ]; then
		echo "{\"order_id\":7,\"status\":\"lost\",\"amount\":3,\"currency\":\"EUR\",\"email\":\"nobody\",\"ts\":\"$now\"}"
		echo "{\"order_id\":99,\"status\":\"refunded\",\"amount\":-4,\"currency\":\"eur\",\"ts\":\"$now\"}"
	fi
}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/weir.XXXXXX")
	cp -r "$REPO/pipelines" "$T/"
	cd "$T"
}

@test "weir-check(1): a one-liner on generated clicks" {
	run bash -o pipefail -c "weir-source --gen clicks --count 1000 | weir-check --not-null .user --range .amount=0..100"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "suite weir-check: 1000 records, 2 rules, all passed" ]
}

@test "weir-check(1): validate the rules, gate with a JUnit report" {
	orders > orders.ndjson
	run weir-check --validate pipelines/checks/orders.yaml
	[ "$status" -eq 0 ]
	[ "$output" = "pipelines/checks/orders.yaml: 13 rules ok" ]
	run weir-check --report junit -o quality.xml pipelines/checks/orders.yaml orders.ndjson
	[ "$status" -eq 0 ]
	xmllint --noout quality.xml
	[ "$(xmllint --xpath 'count(//testcase)' quality.xml)" -eq 13 ]
	orders bad > orders.ndjson
	run weir-check --report junit -o quality.xml pipelines/checks/orders.yaml orders.ndjson
	[ "$status" -eq 1 ]
	xmllint --noout quality.xml
	[ "$(xmllint --xpath 'count(//failure)' quality.xml)" -eq 5 ]
}

@test "weir-check(1): GitHub annotations" {
	orders bad > orders.ndjson
	run weir-check --report github pipelines/checks/orders.yaml orders.ndjson
	[ "$status" -eq 1 ]
	[[ "$output" == *"::error file=orders.ndjson,line=51,title=.order_id%3Aunique::unique failed: 7"* ]]
	[[ "$output" == *"::error file=orders.ndjson,line=52,title=refunds-have-amounts::"* ]]
	[[ "$output" == *"::warning file=orders.ndjson,line=51,title=.email%3Aregex::"* ]]
}

@test "weir-check(1): mid-pipeline with --pass, --reject and a JSON report" {
	run bash -o pipefail -c 'weir-source --gen clicks --count 1000 |
	    weir-check --pass --range .amount=0..50 --reject high.ndjson \
	      --report json -o quality.json |
	    weir-sink -f csv > clicks.csv'
	[ "$status" -eq 1 ]	# the range rule fails: weir-check exits 1
	[ "$(wc -l < clicks.csv)" -eq 1001 ]
	high=$(weir-source --gen clicks --count 1000 | weir-sink | jq -c 'select(.amount > 50)' | wc -l)
	[ "$high" -gt 0 ]
	[ "$(wc -l < high.ndjson)" -eq "$high" ]
	[ "$(jq '.rules[0].failed' quality.json)" -eq "$high" ]
}

@test "weir-check(1): at least 30 clicks in every second of event time" {
	run bash -o pipefail -c "weir-source --gen clicks --count 10000 | weir-check --window 1s --count 30.."
	[ "$status" -eq 0 ]
	run bash -o pipefail -c "weir-source --gen clicks --count 10000 | weir-check --window 1s --count 900.."
	[ "$status" -eq 1 ]
}

@test "pipelines/ci-check.sh: one pass, JUnit and text kept, GitHub annotations on Actions" {
	orders > orders.ndjson
	run env -u GITHUB_ACTIONS pipelines/ci-check.sh pipelines/checks/orders.yaml orders.ndjson
	[ "$status" -eq 0 ]
	xmllint --noout reports/data-quality.xml
	[[ "$output" == *"13 rules, all passed"* ]]
	orders bad > orders.ndjson
	run env GITHUB_ACTIONS=true pipelines/ci-check.sh pipelines/checks/orders.yaml orders.ndjson
	[ "$status" -eq 1 ]
	[[ "$output" == *"::error file=orders.ndjson,line=52"* ]]
	[[ "$(cat reports/data-quality.txt)" == "suite orders: 52 records, 13 rules, 5 failed, 1 warned"* ]]
	printf 'fields: [\n' > broken.yaml
	run pipelines/ci-check.sh broken.yaml orders.ndjson
	[ "$status" -eq 2 ]
}

@test "weir-check(1): the rules file example is valid" {
	mandoc -Tascii "$REPO/man/weir-check.1" | col -b |
	    sed -n '/^	   suite: orders/,/severity: warn}$/p' | sed 's/^\t   //' > man.yaml
	run weir-check --validate man.yaml
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "man.yaml: 14 rules ok" ]
}

@test "weir-check(1): order lines, users, amounts and emails in one line" {
	printf '%s\n' '{"id":1}' '{"id":2}' > users.ndjson
	awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "{\"order_id\":%d,\"line\":%d,\"user_id\":%d,\"amount\":%d,\"email\":\"c%d@shop.example\"}\n", int(i / 2), i % 2, i % 2 + 1, i % 50, i }' > orders.ndjson
	cmd="weir-check --unique '[.order_id, .line]' --relationships .user_id=users.ndjson:.id --avg .amount=1..100 --regex '.email=^\S+@\S+\$' --error-if '>1%' --warn-if '>10' --required '[.order_id, .amount]' orders.ndjson"
	run bash -o pipefail -c "$cmd"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "suite weir-check: 2000 records, 5 rules, all passed" ]
	# 15 bad emails: more than 10 (a warning), not more than 1% (no error)
	for i in $(seq 1 15); do
		echo "{\"order_id\":$((5000 + i)),\"line\":1,\"user_id\":1,\"amount\":5,\"email\":\"bad $i\"}"
	done >> orders.ndjson
	run bash -o pipefail -c "$cmd"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "suite weir-check: 2015 records, 5 rules, 0 failed, 1 warned" ]
	echo '{"order_id":1,"line":1,"user_id":3,"amount":5,"email":"a@b"}' >> orders.ndjson
	run bash -o pipefail -c "$cmd"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "suite weir-check: 2016 records, 5 rules, 2 failed, 1 warned" ]
}
