#!/usr/bin/env bats
# weir-agg --rows N: count-based windows per group, a result on every
# record over its group's last N records.
load helpers

@test "--rows: every record's result over its group's last N records" {
	ndjson '{"s":"a","v":1}' '{"s":"a","v":2}' '{"s":"b","v":10}' \
	    '{"s":"a","v":3}' '{"s":"a","v":4}' '{"s":"b","v":20}' '{"s":"a","v":"x"}'
	run bash -o pipefail -c "weir-agg --rows 3 -g .s avg:.v count m=max_by:.v first:.v < '$T/in.ndjson' |
	    weir-sink -f ndjson | jq -c '[.s, .avg_v, .count, .m.v, .first_v]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '["a",1,1,1,1]' '["a",1.5,2,2,1]' '["b",10,1,10,10]' \
	    '["a",2,3,3,1]' '["a",3,3,4,2]' '["b",15,2,20,10]' '["a",3.5,3,4,3]')" ]
}

@test "--rows: by record key, windows ignored, event time the latest row's" {
	printf '%s\n' '{"k":"x","t":1000,"v":1}' '{"k":"y","t":1500,"v":5}' \
	    '{"k":"x","t":2000,"v":2}' '{"k":"x","t":3000,"v":4}' > "$T/in.ndjson"
	run bash -o pipefail -c "weir-source --time .t --max-delay 0s --key .k '$T/in.ndjson' |
	    weir-window tumbling 1s | weir-agg --rows 2 sum:.v | weir-sink -f envelope |
	    jq -c '[.key, .ts, .value.sum_v]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '["x",1000,1]' '["y",1500,5]' '["x",2000,3]' '["x",3000,6]')" ]
}

@test "--rows equals a brute-force oracle (sum, max, distinct over the last 7)" {
	python3 -c '
import json, random
random.seed(3)
rows = [{"g": random.randrange(6), "v": random.randrange(100), "i": i} for i in range(3000)]
open("'"$T"'/in.ndjson", "w").write("".join(json.dumps(r) + "\n" for r in rows))
last = {}
for r in rows:
    w = last.setdefault(r["g"], [])
    w.append(r)
    del w[:-7]
    print(r["g"], sum(x["v"] for x in w), max(x["v"] for x in w), len(set(x["v"] for x in w)))' > "$T/want"
	weir-agg --rows 7 -g .g sum:.v max:.v distinct:.v < "$T/in.ndjson" |
	    weir-sink -f ndjson | jq -r '"\(.g) \(.sum_v) \(.max_v) \(.distinct_v)"' > "$T/got"
	cmp "$T/want" "$T/got"
}

@test "--rows: usage errors" {
	while IFS='|' read -r args msg; do
		run weir-agg $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: $status"; false; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; false; }
	done <<-'EOF2'
	--rows 0 count|--rows takes a count
	--rows x count|--rows takes a count
	--rows 3 --every 1s count|--rows emits on every record
	--rows 3 --emit updates count|--rows emits on every record
	EOF2
}

@test "--rows --state: killed with SIGKILL 15 times, it resumes with its groups' last rows (equals an undisturbed run)" {
	cd "$T"
	G="weir-source --gen clicks --count 40000 --seed 4 --users 300"
	A="weir-agg --rows 5 -g .user count sum:.amount first:.page last:.page"
	$G | $A | weir-sink -o ref
	LIMIT=150 limit python3 "$BATS_TEST_DIRNAME/../ckpt_kill.py" --rounds 15 \
	    --seed 31 --min 300 --max 1200 chain \
	    "$G --rate 8000 --checkpoint 100ms --state st" "$A --state st" \
	    "weir-sink -o out --state st" > log 2>&1 || { cat log; false; }
	# weir-agg was killed after a checkpoint and went on from one
	grep -q 'weir-agg: resumed from checkpoint' log
	# every record's result, in order: exactly once, the same rows
	cmp ref out
	[ "$(wc -l < out)" -eq 40000 ]
}

