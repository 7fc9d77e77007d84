#!/usr/bin/env bats
# The EXAMPLES of weir-join(1), run as written.

load helpers

@test "weir-join(1): enrich clicks with a users table" {
	cd "$T"
	printf '%s\n' '{"id":"u298","name":"ann","plan":"pro"}' \
	    '{"id":"u335","name":"bob","plan":"free"}' > users.ndjson
	run bash -o pipefail -c 'weir-source --gen clicks --count 1000 |
	    weir-join --table users.ndjson --on .user=.id --type left |
	    weir-sink -f csv --fields user,page,name,plan'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "user,page,name,plan" ]
	[ "${lines[1]}" = "u298,/p/22,ann,pro" ]
	[ "${lines[2]}" = "u335,/p/12,bob,free" ]
	[ "${lines[3]}" = "u847,/p/5,," ]
	[ "${#lines[@]}" -eq 1001 ]
}

@test "weir-join(1): a changelog table on fd 3, nested with --as" {
	cd "$T"
	printf '%s\n' '{"key":"u298","value":{"user":"u298","name":"ann"}}' \
	    '{"key":"u335","value":{"user":"u335","name":"bob"}}' \
	    '{"key":"u335","value":null}' > users-changes.ndjson
	run bash -o pipefail -c 'weir-source --gen clicks --count 1000 |
	    weir-join --table fd:3 --right-format envelope --on .user \
	    --as profile 3< users-changes.ndjson | weir-sink'
	[ "$status" -eq 0 ]
	want=$(weir-source --gen clicks --count 1000 | weir-sink |
	    grep -c '"user":"u298"')
	[ "${#lines[@]}" -eq "$want" ]
	[[ "${lines[0]}" == *'"user":"u298"'*'"profile":{"user":"u298","name":"ann"}}' ]]
}

@test "weir-join(1): orders with payments within ten minutes after them" {
	cd "$T"
	printf '%s\n' '{"ts":0,"order":"o1","amount":10}' \
	    '{"ts":1000,"order":"o2","amount":20}' \
	    '{"ts":2000,"order":"o3","amount":30}' > orders.ndjson
	printf '%s\n' '{"ts":300000,"order":"o1","paid":10}' \
	    '{"ts":661000,"order":"o2","paid":20}' > payments.ndjson
	weir-source --time .ts --key .order --max-delay 5s payments.ndjson \
	    > payments.wf
	run bash -o pipefail -c 'weir-source --time .ts --key .order --max-delay 5s orders.ndjson |
	    weir-join --right payments.wf --before 0 --after 10m --type left \
	    --prefix pay_ | weir-sink'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"ts":0,"order":"o1","amount":10,"pay_ts":300000,"pay_order":"o1","pay_paid":10}' ]
	[[ "$output" == *'{"ts":1000,"order":"o2","amount":20}'* ]]
	[[ "$output" == *'{"ts":2000,"order":"o3","amount":30}'* ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "weir-join(1): views and clicks in the same minute (weir-window)" {
	command -v weir-window >/dev/null || skip "weir-window not built yet"
	cd "$T"
	printf '%s\n' '{"ts":1000,"ad":"a","click":1}' \
	    '{"ts":200000,"ad":"a","click":2}' > clicks.ndjson
	printf '%s\n' '{"ts":2000,"ad":"a","view":1}' \
	    '{"ts":3000,"ad":"b","view":2}' > views.ndjson
	weir-source --time .ts --key .ad --max-delay 5s clicks.ndjson |
	    weir-window tumbling 1m > clicks.wf
	run bash -o pipefail -c 'weir-source --time .ts --key .ad --max-delay 5s views.ndjson |
	    weir-window tumbling 1m |
	    weir-join --right clicks.wf --window --type left --prefix click_ |
	    weir-sink -f envelope'
	[ "$status" -eq 0 ]
	[[ "$output" == *'"window":[0,60000],"key":"a","value":{"ts":2000,"ad":"a","view":1,"click_ts":1000,"click_ad":"a","click_click":1}}'* ]]
	[[ "$output" == *'"window":[0,60000],"key":"b","value":{"ts":3000,"ad":"b","view":2}}'* ]]
	[ "${#lines[@]}" -eq 2 ]
}
