#!/usr/bin/env bats
# The EXAMPLES of weir(1), weir-source(1), weir-sink(1), run as written.

load helpers

@test "weir(1): weir source | weir sink; weir help" {
	run bash -o pipefail -c "weir source --gen clicks --count 3 | weir sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	run weir help
	[ "$status" -eq 0 ]
}

@test "weir-source(1): a thousand generated clicks as a table" {
	run bash -o pipefail -c "weir-source --gen clicks --count 1000 | weir-sink -f table"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1001 ]
	[[ "${lines[0]}" == "ts"*"user"*"page"*"amount" ]]
}

@test "weir-source(1): CSV keyed by user, ISO 8601 times, max delay" {
	cd "$T"
	printf 'user,when,total\nann,2024-05-01T12:00:00Z,10\nbob,2024-05-01T12:00:01.5+00:00,20\n' > orders.csv
	run bash -o pipefail -c 'weir-source -f csv --key .user --time .when --time-format iso8601 \
	    --max-delay 5s orders.csv | weir-sink -f envelope'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"ts":1714564800000,"key":"ann","value":{"user":"ann","when":"2024-05-01T12:00:00Z","total":10}}' ]
	[ "${lines[1]}" = '{"ts":1714564801500,"key":"bob","value":{"user":"bob","when":"2024-05-01T12:00:01.5+00:00","total":20}}' ]
}

@test "weir-source(1): keep going past malformed lines, but keep them" {
	cd "$T"
	printf '{"a":1}\nnot json\n{"a":2}\n' > events.ndjson
	run bash -o pipefail -c 'weir-source --on-error rejects.txt events.ndjson | weir-sink'
	[ "$status" -eq 0 ]
	[[ "$output" == *'{"a":1}'*'{"a":2}'* ]]
	[ "$(cat rejects.txt)" = "not json" ]
}

@test "weir-sink(1): CSV with chosen columns" {
	run bash -o pipefail -c "weir-source --gen clicks --count 5 | weir-sink -f csv --fields user,amount"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "user,amount" ]
	[ "${lines[1]}" = "u298,68.35" ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "weir-sink(1): jq between two weir programs" {
	run bash -o pipefail -c "weir-source --gen clicks --count 100 | weir-sink -f envelope |
	    jq -c 'select(.value.amount > 50)' |
	    weir-source -f envelope | weir-sink -f table"
	[ "$status" -eq 0 ]
	want=$(weir-source --gen clicks --count 100 | weir-sink | jq -c 'select(.amount > 50)' | wc -l)
	[ "${#lines[@]}" -eq $((want + 1)) ]
}

@test "weir-sink(1): save a stream and replay it later" {
	cd "$T"
	weir-source --gen clicks --count 1000 | weir-sink -f framed -o clicks.wf
	run bash -o pipefail -c 'weir-sink -f csv < clicks.wf'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1001 ]
}
