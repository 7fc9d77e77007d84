#!/usr/bin/env bats
# Readable times and tables for people: weir-sink --time-format, a table
# on a terminal (ISO 8601 times, fitted to its width, wcwidth-correct).
load helpers

# tty COLS CMD: run CMD (sh) on a pseudo-terminal COLS columns wide.
tty() {
	local cols=$1
	shift
	limit script -qec "stty cols $cols rows 50; $*" /dev/null | tr -d '\r'
}

@test "weir-sink --time-format: ts, window_start, window_end as iso8601, s, ms" {
	run bash -o pipefail -c 'weir-source --gen clicks --count 2 |
	    weir-sink -f csv --time-format iso8601'
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "2023-11-14T22:13:20.000Z,u298,/p/22,68.35" ]
	[ "${lines[2]}" = "2023-11-14T22:13:20.001Z,u335,/p/12,70.95" ]
	run bash -o pipefail -c 'weir-source --gen clicks --count 2 |
	    weir-sink -f tsv --time-format s'
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "1700000000.001	u335	/p/12	70.95" ]
	run bash -o pipefail -c 'weir-source --gen clicks --count 2000 --max-delay 2s |
	    weir-window tumbling 1s | weir-agg count |
	    weir-sink -f table --time-format iso8601'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "window_start"*"window_end"*"count" ]]
	[[ "${lines[1]}" =~ ^2023-11-14T22:13:1[89].000Z\ +2023-11-14T22:13:(19|20).000Z\ +[0-9]+$ ]]
	# ms is the default off a terminal, and what -f table --time-format ms says
	run bash -o pipefail -c 'weir-source --gen clicks --count 1 | weir-sink -f table'
	[[ "${lines[1]}" == "1700000000000  u298"* ]]
	# other fields and numbers that are not integers stay as they are
	printf '%s\n' '{"ts":1.5,"n":1700000000000}' '{"ts":"x","n":2}' > "$T/in"
	run weir-sink -f csv --time-format iso8601 < "$T/in"
	[ "${lines[1]}" = "1.5,1700000000000" ]
	[ "${lines[2]}" = "x,2" ]
}

@test "weir-sink --time-format: exact names only" {
	for f in us iso ISO8601 ''; do
		run weir-sink -f csv --time-format "$f" < /dev/null
		[ "$status" -eq 2 ]
		[[ "$output" == *"--time-format"*"iso8601, ms or s"* ]]
	done
	run weir-sink --help
	[[ "$output" == *"--time-format"* ]]
}

@test "weir-sink: a table on a terminal has ISO 8601 times and fits its width" {
	command -v script > /dev/null || skip "no script(1)"
	out=$(tty 120 'weir-source --gen clicks --count 3 | weir-sink')
	[[ "$(sed -n 2p <<< "$out")" == "2023-11-14T22:13:20.000Z  u298  /p/22   68.35" ]]
	out=$(tty 120 'weir-source --gen clicks --count 3 | weir-sink --time-format ms')
	[[ "$(sed -n 2p <<< "$out")" == "1700000000000  u298  /p/22   68.35" ]]
	out=$(tty 30 'weir-source --gen clicks --count 3 | weir-sink')
	echo "$out"
	while IFS= read -r l; do
		[ "$(printf '%s' "$l" | LC_ALL=C.UTF-8 wc -m)" -le 30 ]
	done <<< "$out"
	[[ "$(sed -n 2p <<< "$out")" == "2023-11-…  u298  /p/22   68.35" ]]
}

@test "weir-sink: table widths count CJK and emoji as two columns" {
	printf '%s\n' '{"name":"日本語","n":1}' '{"name":"😀😀","n":22}' \
	    '{"name":"ab","n":333}' '{"name":"e\u0301","n":4}' > "$T/in"
	run weir-sink -f table < "$T/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "name    n" ]
	[ "${lines[1]}" = "日本語    1" ]
	[ "${lines[2]}" = "😀😀     22" ]
	[ "${lines[3]}" = "ab      333" ]
	[ "${lines[4]}" = "$(printf 'e\xcc\x81         4')" ]
	command -v script > /dev/null || skip "no script(1)"
	printf '%s\n' '{"name":"日本語日本語日本語","note":"😀😀😀😀😀😀😀😀😀😀","n":1}' > "$T/w"
	out=$(tty 24 "weir-sink < '$T/w'")
	echo "$out"
	# every line in 24 columns, counted as a terminal does
	[ "$(sed -n 2p <<< "$out")" = "日本語日…  😀😀😀😀…   1" ]
	[ "$(sed -n 1p <<< "$out")" = "name       note        n" ]
}

@test "weir-check: freshness ages read 2d 3h 5m; JSON keeps the milliseconds" {
	printf '%s\n' '{"ts":1704067200000,"value":{}}' '{"ts":1704069000000,"value":{}}' > "$T/in.env"
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' |
	    weir-check --now 2024-01-03T03:35:07Z --freshness 15m"
	[ "$status" -eq 1 ]
	[[ "$output" == *"newest event time is 2024-01-01T00:30:00.000Z, 2d 3h 5m old (limit 15m)"* ]]
	[[ "$output" != *"183907000"* ]]
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' |
	    weir-check --now 2024-01-01T00:35:07Z --freshness 15m"
	[ "$status" -eq 0 ]
	[[ "$output" == *"freshness"*"newest 5m 7s old"* ]]
	run bash -o pipefail -c "weir-source -f envelope '$T/in.env' |
	    weir-check --now 2024-01-03T03:35:07Z --freshness 15m --report json"
	[ "$status" -eq 1 ]
	[ "$(jq '.rules[0].value' <<< "$output")" = 183907000 ]
}

@test "weir-expr(7): format_time and parse_time in weir-map and weir-filter" {
	printf '%s\n' '{"since":"2023-11-14T00:00:00Z","d":"14/11/2023"}' > "$T/in"
	run bash -o pipefail -c "weir-source --gen clicks --count 2 --time .ts |
	    weir-map 'day=format_time(ts(), \"%Y-%m-%d\")' 'at=format_time(.ts)' \
	      'back=parse_time(format_time(.ts)) == .ts' --keep .day,.at,.back |
	    weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"day":"2023-11-14","at":"2023-11-14T22:13:20.000Z","back":true}' ]
	[ "${lines[1]}" = '{"day":"2023-11-14","at":"2023-11-14T22:13:20.001Z","back":true}' ]
	run bash -o pipefail -c "weir-map 'a=parse_time(.since)' 'b=parse_time(.d, \"%d/%m/%Y\")' \
	    'c=parse_time(.d)' -f ndjson < '$T/in'"
	[ "$status" -eq 0 ]
	[ "$output" = '{"since":"2023-11-14T00:00:00Z","d":"14/11/2023","a":1699920000000,"b":1699920000000}' ]
	run bash -o pipefail -c "weir-filter -f ndjson 'parse_time(.since) < parse_time(\"2024-01-01\")' < '$T/in' | wc -l"
	[ "$output" -eq 1 ]
}

@test "make demo: a summary that fits an 80x24 terminal; the whole result in a file or a pipe" {
	[ "$WEIR_BIN" = "$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/bin" ] || skip "not the plain build"
	command -v script > /dev/null || skip "no script(1)"
	cd "$BATS_TEST_DIRNAME/../.."
	out=$(tty 80 "make -s demo DEMO_N=200000")
	echo "$out"
	[ "$(wc -l <<< "$out")" -le 24 ]
	while IFS= read -r l; do
		[ "$(printf '%s' "$l" | LC_ALL=C.UTF-8 wc -m)" -le 80 ]
	done <<< "$out"
	[[ "$out" == *"2023-11-14T22:13:00.000Z  2023-11-14T22:14:00.000Z   1000   40194"* ]]
	[[ "$out" == *"The whole result, 4000 rows: build/demo.txt"* ]]
	[ "$(wc -l < build/demo.txt)" -eq 4001 ]
	[ "$(wc -l < build/demo.ndjson)" -eq 4000 ]
	# the top spenders are the users with the largest sums
	want=$(jq -rs 'group_by(.user) | map([.[0].user, (map(.spent) | add)]) |
	    sort_by(-.[1]) | .[0][0]' build/demo.ndjson)
	[[ "$out" == *"The ten biggest spenders:"$'\n'"user "*$'\n'"$want "* ]]
	# into a pipe: every row, readable times
	run bash -o pipefail -c 'make -s demo DEMO_N=20000 | cat'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1001 ]
	[[ "${lines[1]}" == "2023-11-14T22:13:00.000Z  2023-11-14T22:14:00.000Z  u"* ]]
}
