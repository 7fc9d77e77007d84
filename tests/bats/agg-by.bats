#!/usr/bin/env bats
# weir-agg's records-by-value functions: max_by and min_by (the whole
# record with the largest or smallest number at a path), their ties, and
# windows.
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

@test "max_by per window, against a brute-force oracle" {
	python3 -c '
import json, random
random.seed(5)
for i in range(3000):
    print(json.dumps({"t": 1000 + i * 7, "g": random.randrange(5), "p": random.randrange(40), "i": i}))' > "$T/in.ndjson"
	weir-source --time .t "$T/in.ndjson" | weir-window tumbling 1s |
	    weir-agg -g .g m=max_by:.p | weir-sink -f ndjson > "$T/got"
	python3 -c '
import json, sys
best = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    k = ((r["t"] // 1000) * 1000, r["g"])
    if k not in best or r["p"] > best[k]["p"]:
        best[k] = r
for (s, g), r in sorted(best.items()):
    print(s, g, r["i"])' "$T/in.ndjson" > "$T/want"
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print(r["window_start"], r["g"], r["m"]["i"])' < "$T/got" | sort -n -k1,1 -k2,2 > "$T/got2"
	sort -n -k1,1 -k2,2 "$T/want" > "$T/want2"
	[ "$(wc -l < "$T/want2")" -gt 50 ]
	cmp "$T/want2" "$T/got2"
}

@test "max_by: usage errors" {
	run weir-agg max_by < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"max_by needs a path"* ]]
}
