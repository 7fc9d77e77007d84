#!/usr/bin/env bats
# The README's one-liners, run as written (on small fixture files).

load helpers

@test "README: clicks and spend per user and minute, as CSV" {
	run bash -o pipefail -c 'weir-source --gen clicks --count 200000 --max-delay 2s \
	  | weir-window tumbling 1m | weir-agg -g .user n=count total=sum:.amount p99=p99:.amount \
	  | weir-sink -f csv'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "window_start,window_end,user,n,total,p99" ]
	# every click counted exactly once
	total=$(printf '%s\n' "${lines[@]:1}" | awk -F, '{ n += $4 } END { print n }')
	[ "$total" -eq 200000 ]
}

@test "README: filter then map" {
	cd "$T"
	weir-source --gen clicks --count 5000 | weir-sink > events.ndjson
	run bash -o pipefail -c "weir-source events.ndjson | weir-filter '.amount > 50 and .page == \"/p/7\"' \
	  | weir-map 'cents=.amount*100' | weir-sink"
	[ "$status" -eq 0 ]
	want=$(jq -c 'select(.amount > 50 and .page == "/p/7")' events.ndjson | wc -l)
	[ "${#lines[@]}" -eq "$want" ]
	[ "$want" -gt 10 ]
	first=${lines[0]}
	run jq -e '.cents == (.amount * 100 | round)' <<< "$first"
	[ "$status" -eq 0 ]
}

@test "README: enrich clicks with a users table" {
	cd "$T"
	printf '{"user":"u1","page":"/a"}\n{"user":"u2","page":"/b"}\n{"user":"u3","page":"/c"}\n' > clicks.ndjson
	printf '{"id":"u1","name":"Ann"}\n{"id":"u2","name":"Bo"}\n{"id":"u1","name":"Anne"}\n' > users.ndjson
	run bash -o pipefail -c 'weir-source clicks.ndjson | weir-join --table users.ndjson --on .user=.id | weir-sink'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'"user":"u1"'*'"name":"Anne"'* ]]
	[[ "${lines[1]}" == *'"user":"u2"'*'"name":"Bo"'* ]]
}

@test "README: a data-quality gate for CI" {
	cd "$T"
	printf '{"id":1,"user":"a","amount":5}\n{"id":2,"user":"b","amount":7}\n' > orders.ndjson
	run weir-check --not-null .user --unique .id --range .amount=0..1000 \
	  --report junit -o report.xml orders.ndjson
	[ "$status" -eq 0 ]
	xmllint --noout report.xml
	printf '{"id":2,"user":null,"amount":5000}\n' >> orders.ndjson
	run weir-check --not-null .user --unique .id --range .amount=0..1000 \
	  --report junit -o report.xml orders.ndjson
	[ "$status" -eq 1 ]
	xmllint --noout report.xml
	[ "$(grep -c '<failure' report.xml)" -eq 3 ]
}

@test "README: the quick start's make demo prints windowed aggregates" {
	[ "$WEIR_BIN" = "$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/bin" ] || skip "not the plain build"
	run make -s -C "$BATS_TEST_DIRNAME/../.." demo DEMO_N=20000
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == window_start*window_end* ]]
	[ "${#lines[@]}" -gt 2 ]
}
