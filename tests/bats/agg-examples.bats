#!/usr/bin/env bats
# The EXAMPLES of weir-agg(1), run as written.
load helpers

@test "weir-agg(1): clicks per user per minute through weir-window" {
	command -v weir-window > /dev/null || skip "weir-window not built"
	cd "$T"
	weir-source --gen clicks --count 200000 | weir-sink -f ndjson > clicks.ndjson
	run bash -o pipefail -c 'weir-source --time .ts --max-delay 5s clicks.ndjson |
	    weir-window tumbling 1m |
	    weir-agg -g .user n=count total=sum:.amount p99=p99:.amount |
	    weir-sink -f csv'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "window_start,window_end,user,n,total,p99" ]
	# every click counted once, in whole-minute windows
	[ "$(printf '%s\n' "${lines[@]:1}" | awk -F, '{ n += $4;
	    if (($2 - $1) != 60000 || $1 % 60000) bad++ }
	    END { print n + 0, bad + 0 }')" = "200000 0" ]
}

@test "weir-agg(1): totals per user over a whole file" {
	run bash -o pipefail -c "weir-source --gen clicks --count 10000 | weir-agg -g .user count sum:.amount | weir-sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -s 'map(.count) | add')" = 10000 ]
	want=$(weir-source --gen clicks --count 10000 | weir-sink | jq -s 'map(.amount) | add * 100 | round')
	[ "$(printf '%s\n' "${lines[@]}" | jq -s 'map(.sum_amount) | add * 100 | round')" = "$want" ]
}

@test "weir-agg(1): the three most visited pages and distinct users" {
	run bash -o pipefail -c "weir-source --gen clicks --count 10000 |
	    weir-agg top=topk:3:.page users=approx_distinct:.user | weir-sink"
	[ "$status" -eq 0 ]
	want=$(weir-source --gen clicks --count 10000 | weir-sink |
	    jq -rs 'group_by(.page) | map([.[0].page, length]) |
	        sort_by(-.[1], .[0]) | .[:3] | map("\(.[0])=\(.[1])") | join(" ")')
	[ "$(jq -r '.top | map("\(.value)=\(.count)") | join(" ")' <<< "$output")" = "$want" ]
	users=$(jq .users <<< "$output")
	[ "$users" -ge 980 ] && [ "$users" -le 1020 ]
}

@test "weir-agg(1): latency percentiles per endpoint from a CSV log" {
	cd "$T"
	{ echo endpoint,ms; for i in $(seq 1 200); do echo "/a,$i"; echo "/b,$((i * 10))"; done; } > latency.csv
	run bash -o pipefail -c 'weir-source -f csv latency.csv |
	    weir-agg -g .endpoint p50:.ms p99:.ms max:.ms | weir-sink -f table'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == endpoint*p50_ms*p99_ms*max_ms ]]
	# nearest rank: p50 of 1..200 is 100, p99 is 198 (within 1%)
	read -r ep p50 p99 max <<< "${lines[1]}"
	[ "$ep" = /a ] && [ "$max" = 200 ]
	awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a >= 99 && a <= 101 && b >= 196 && b <= 200) }'
}

@test "weir-agg(1): a running count and mean every second" {
	run bash -o pipefail -c "weir-source --gen clicks --rate 1000 --count 2500 |
	    weir-agg --every 1s count avg:.amount | weir-sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ] && [ "${#lines[@]}" -le 4 ]
	[[ "${lines[-1]}" == '{"count":2500,"avg_amount":'* ]]
}

@test "weir-agg(1): a changelog of per-user counts" {
	run bash -o pipefail -c "weir-source --gen clicks --count 5 | weir-agg --emit updates -g .user count | weir-sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = '{"user":"u298","count":1}' ]
}
