#!/usr/bin/env bats
# weir-agg's records-by-value functions: max_by and min_by (the whole
# record with the largest or smallest number at a path), top:N (the N
# largest), their ties and windows, and --explode (top-N rows with a rank).
load helpers

@test "max_by, min_by: the whole record of the largest and smallest number per group" {
	ndjson '{"g":"a","p":5,"n":1}' '{"g":"a","p":7,"n":2}' \
	    '{"g":"b","p":"3","n":3}' '{"g":"a","p":-1.5,"n":4}' \
	    '{"g":"b","p":2,"n":5}' '{"g":"a","p":6.99,"n":6}'
	run bash -o pipefail -c "weir-agg -g .g max_by:.p lo=min_by:.p < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"g":"a","max_by_p":{"g":"a","p":7,"n":2},"lo":{"g":"a","p":-1.5,"n":4}}' ]
	[ "${lines[1]}" = '{"g":"b","max_by_p":{"g":"b","p":"3","n":3},"lo":{"g":"b","p":2,"n":5}}' ]
}

@test "max_by: numbers compare exactly; other values are ignored; null without numbers" {
	ndjson '{"g":1,"p":9007199254740993,"n":1}' '{"g":1,"p":9007199254740992,"n":2}' \
	    '{"g":1,"p":"x","n":3}' '{"g":1,"p":[100],"n":4}' '{"g":2,"p":null}' '{"g":2}'
	run bash -o pipefail -c "weir-agg -g .g m=max_by:.p < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"g":1,"m":{"g":1,"p":9007199254740993,"n":1}}' ]
	[ "${lines[1]}" = '{"g":2,"m":null}' ]
}

@test "max_by: of equal values the earliest event time wins, then the first to arrive" {
	# event times out of order (within --max-delay); 7 and 7.0 are equal
	ndjson '{"p":7,"t":40,"n":1}' '{"p":7.0,"t":20,"n":2}' '{"p":3,"t":10,"n":3}' \
	    '{"p":7,"t":20,"n":4}' '{"p":7,"t":30,"n":5}'
	run bash -o pipefail -c "weir-source --time .t --max-delay 1s '$T/in.ndjson' |
	    weir-agg m=max_by:.p l=min_by:.p | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"m":{"p":7.0,"t":20,"n":2},"l":{"p":3,"t":10,"n":3}}' ]
	# without event times: the first to arrive
	run bash -o pipefail -c "weir-agg m=max_by:.p < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$output" = '{"m":{"p":7,"t":40,"n":1}}' ]
}

@test "max_by: usage errors" {
	run weir-agg max_by < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"max_by needs a path"* ]]
}

@test "top:N: the N records with the largest numbers, largest first, ties as max_by" {
	ndjson '{"g":"a","p":5,"t":30,"n":1}' '{"g":"a","p":7,"t":40,"n":2}' \
	    '{"g":"a","p":7,"t":20,"n":3}' '{"g":"a","p":1,"t":50,"n":4}' \
	    '{"g":"a","p":6,"t":60,"n":5}' '{"g":"b","p":2,"t":70,"n":6}' '{"g":"c","p":"x","t":80}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    weir-agg -g .g top:3:.p m=max_by:.p | weir-sink -f ndjson | jq -c '[.g, [.top_p[].n], .m.n]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '["a",[3,2,5],3]' '["b",[6],6]' '["c",[],null]')" ]
}

@test "--explode: one record per element with a rank; --rank names it" {
	ndjson '{"g":"a","p":5,"n":1}' '{"g":"a","p":7,"n":2}' '{"g":"a","p":6,"n":3}' \
	    '{"g":"b","p":2,"n":4}' '{"g":"c","p":"x"}'
	run bash -o pipefail -c "weir-agg -g .g --explode top --rank r count top=top:2:.p < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '{"count":3,"g":"a","p":7,"n":2,"r":1}' \
	    '{"count":3,"g":"a","p":6,"n":3,"r":2}' '{"count":1,"g":"b","p":2,"n":4,"r":1}')" ]
	# max_by: one row; an element that is not an object is a field
	run bash -o pipefail -c "weir-agg -g .g --explode m m=max_by:.p < '$T/in.ndjson' | weir-sink -f ndjson | wc -l"
	[ "$output" -eq 2 ]
	run bash -o pipefail -c "weir-agg --explode d d=distinct:.g < '$T/in.ndjson' | weir-sink -f ndjson"
	[ "$output" = '{"d":3,"rank":1}' ]
}

@test "top 2 and max_by per window, --explode keeps windows: against a brute-force oracle" {
	python3 -c '
import json, random
random.seed(9)
for i in range(2000):
    print(json.dumps({"t": 1000 + i * 9, "g": random.randrange(4), "p": random.randrange(30), "i": i}))' > "$T/in.ndjson"
	weir-source --time .t "$T/in.ndjson" | weir-window tumbling 1s |
	    weir-agg -g .g --explode top top=top:2:.p m=max_by:.p | weir-sink -f ndjson |
	    jq -r '"\(.window_start) \(.g) \(.rank) \(.i) \(.m.i)"' | sort > "$T/got"
	python3 -c '
import json, sys
groups = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    groups.setdefault(((r["t"] // 1000) * 1000, r["g"]), []).append(r)
for (s, g), rs in groups.items():
    rs.sort(key=lambda r: (-r["p"], r["t"], r["i"]))
    for k, r in enumerate(rs[:2]):
        print(s, g, k + 1, r["i"], rs[0]["i"])' "$T/in.ndjson" | sort > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 50 ]
	cmp "$T/want" "$T/got"
}

@test "--explode: usage errors" {
	run weir-agg --explode nope top:2:.p <<< '{"p":1}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"no aggregate is named 'nope'"* ]]
	run weir-agg --rank r top:2:.p < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--rank goes with --explode"* ]]
	run weir-agg top:.p < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"top needs a count"* ]]
}
