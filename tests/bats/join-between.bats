#!/usr/bin/env bats
# weir-join --between FROM,UNTIL: an interval join whose bounds are fields
# of the left record (an auction's dateTime and expires), clipped by
# --before and --after.
load helpers

# bids LINES...: the right side, as frames with event times, in $T/r.wf
bids() {
	printf '%s\n' "$@" | weir-source --time .t > "$T/r.wf"
}

@test "--between: right records from left.FROM to left.UNTIL match, both ends included" {
	bids '{"a":1,"t":999}' '{"a":1,"t":1000}' '{"a":2,"t":1300}' \
	    '{"a":1,"t":1500}' '{"a":1,"t":1501}' '{"a":2,"t":3000}' '{"a":2,"t":3001}'
	ndjson '{"id":1,"t":1000,"f":1000,"u":1500}' '{"id":2,"t":1200,"f":1200,"u":"1970-01-01T00:00:03Z"}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    timeout 60 weir-join --right '$T/r.wf' --on .id=.a --between .f,.u --prefix r_ |
	    weir-sink -f ndjson | jq -c '[.id, .r_t]' | sort"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '[1,1000]' '[1,1500]' '[2,1300]' '[2,3000]')" ]
}

@test "--between: --before and --after clip the interval" {
	bids '{"a":1,"t":900}' '{"a":1,"t":950}' '{"a":1,"t":1200}' '{"a":1,"t":1300}'
	ndjson '{"id":1,"t":1000,"f":0,"u":5000}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    timeout 60 weir-join --right '$T/r.wf' --on .id=.a --between .f,.u \
	    --before 60ms --after 250ms --prefix r_ | weir-sink -f ndjson | jq -c .r_t"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 950 1200)" ]
}

@test "--between --type left: unmatched left records once the watermark passes UNTIL" {
	bids '{"a":1,"t":1100}' '{"a":9,"t":5000}'
	ndjson '{"id":1,"t":1000,"f":1000,"u":1050}' '{"id":2,"t":1010,"f":1010,"u":1400}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    timeout 60 weir-join --right '$T/r.wf' --on .id=.a --between .f,.u \
	    --type left --after 1s --prefix r_ | weir-sink -f ndjson | jq -c '[.id, .r_t]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '[1,null]' '[2,null]')" ]
	run weir-join --right /dev/null --between .f,.u --type left < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs --after"* ]]
}

@test "--between: a left record without a time in FROM or UNTIL is bad input" {
	bids '{"a":1,"t":1100}'
	ndjson '{"id":1,"t":1000,"f":1000}' '{"id":1,"t":1001,"f":1000,"u":1200}'
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    timeout 60 weir-join --right '$T/r.wf' --on .id=.a --between .f,.u > /dev/null"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--between: .u is not a time"* ]]
	run bash -o pipefail -c "weir-source --time .t '$T/in.ndjson' |
	    timeout 60 weir-join --right '$T/r.wf' --on .id=.a --between .f,.u --on-error skip \
	    --prefix r_ 2> /dev/null | weir-sink -f ndjson | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" -eq 1 ]
}

@test "--between: usage errors" {
	while IFS='|' read -r args msg; do
		run weir-join $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: $status"; false; }
		[[ "$output" == *"$msg"* ]] || { echo "$args: $output"; false; }
	done <<-'EOF2'
	--right /dev/null --between .f|two fields
	--right /dev/null --between .f,.u,.v|two fields
	--right /dev/null --between .f,.u --within 1s|give --within
	--right /dev/null --between .f,.u --window|not interval
	--table /dev/null --between .f,.u|go with --right
	EOF2
}

@test "--between equals a brute-force oracle on random auctions and bids" {
	python3 -c '
import json, random
random.seed(11)
A, B = [], []
for i in range(400):
    t = i * 25
    if random.random() < 0.2:
        A.append({"id": random.randrange(5), "t": t, "f": t, "u": t + random.randrange(0, 600)})
    else:
        B.append({"a": random.randrange(5), "t": t, "n": i})
open("'"$T"'/a.ndjson", "w").write("".join(json.dumps(x) + "\n" for x in A))
open("'"$T"'/b.ndjson", "w").write("".join(json.dumps(x) + "\n" for x in B))
want = sorted((a["id"], a["t"], b["n"]) for a in A for b in B
              if a["id"] == b["a"] and a["f"] <= b["t"] <= a["u"])
open("'"$T"'/want", "w").write("".join("%d %d %d\n" % w for w in want))'
	weir-source --time .t --max-delay 0 "$T/b.ndjson" > "$T/r.wf"
	weir-source --time .t --max-delay 0 "$T/a.ndjson" |
	    timeout 60 weir-join --right "$T/r.wf" --on .id=.a --between .f,.u --prefix b_ |
	    weir-sink -f ndjson | jq -r '"\(.id) \(.t) \(.b_n)"' | sort -n -k1,1 -k2,2 -k3,3 > "$T/got"
	sort -n -k1,1 -k2,2 -k3,3 "$T/want" > "$T/want2"
	[ "$(wc -l < "$T/want2")" -gt 100 ]
	cmp "$T/want2" "$T/got"
}
