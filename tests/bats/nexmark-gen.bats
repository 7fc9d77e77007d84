#!/usr/bin/env bats
# weir-source --gen nexmark: Nexmark's people, auctions and bids
# (weir-source(1)), deterministic from the seed and the event number.

load helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"

@test "nexmark: 1:3:46, ids from 1000 in order, fields of the person/auction/bid views" {
	weir-source --gen nexmark --count 10000 | weir-sink -f ndjson > "$T/ev"
	run python3 -c '
import json, sys
kinds = [0, 0, 0]; person = auction = 1000
fields = {0: "event_type id name emailAddress creditCard city state dateTime extra",
          1: "event_type id itemName description initialBid reserve dateTime expires seller category extra",
          2: "event_type auction bidder price channel url dateTime extra"}
for n, l in enumerate(open(sys.argv[1])):
    e = json.loads(l); k = e["event_type"]; kinds[k] += 1
    want = 0 if n % 50 < 1 else 1 if n % 50 < 4 else 2
    assert k == want, (n, k)
    assert list(e) == fields[k].split(), (n, list(e))
    assert e["dateTime"] == 1700000000000 + n // 10, (n, e["dateTime"])
    if k == 0:
        assert e["id"] == person, (n, e); person += 1
    elif k == 1:
        assert e["id"] == auction, (n, e); auction += 1
        assert 10 <= e["category"] <= 14 and e["expires"] > e["dateTime"]
    else:
        assert 1000 <= e["auction"] < auction + 10 and 1000 <= e["bidder"] < person + 10
print(kinds)' "$T/ev"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "[200, 600, 9200]" ]
}

@test "nexmark: hot auctions, sizes and channels follow the model" {
	weir-source --gen nexmark --count 50000 --seed 5 | weir-sink -f ndjson > "$T/ev"
	run python3 -c '
import json, sys, collections
bids = []; size = collections.defaultdict(list)
for l in open(sys.argv[1]):
    e = json.loads(l); k = e["event_type"]
    size[k].append(len(e["extra"]))
    if k == 2: bids.append(e)
hot = sum(1 for b in bids if (b["auction"] - 1000) % 100 == 0) / len(bids)
hotch = sum(1 for b in bids if b["channel"] in ("Google", "Facebook", "Baidu", "Apple")) / len(bids)
ids = sum(1 for b in bids if "&channel_id=" in b["url"]) / len(bids)
print("hot %.2f channels %.2f ids %.2f" % (hot, hotch, ids))
avg = {k: sum(v) / len(v) for k, v in size.items()}
print(avg)
assert 0.48 < hot < 0.56 and 0.47 < hotch < 0.53 and abs(ids + hotch - 1) < 1e-9
assert 60 < avg[2] < 75 and 350 < avg[1] < 430 and 120 < avg[0] < 160
' "$T/ev"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "nexmark: the same seed gives the same events, another seed others; --tps and --start set times" {
	a=$(weir-source --gen nexmark --count 500 --seed 3 | weir-sink -f ndjson | md5sum)
	b=$(weir-source --gen nexmark --count 500 --seed 3 | weir-sink -f ndjson | md5sum)
	c=$(weir-source --gen nexmark --count 500 --seed 4 | weir-sink -f ndjson | md5sum)
	[ "$a" = "$b" ]
	[ "$a" != "$c" ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 5 --tps 2 --start 1000 |
	    weir-sink -f ndjson | grep -o '\"dateTime\":[0-9]*' | tr '\n' ' '"
	[ "$status" -eq 0 ]
	[ "$output" = '"dateTime":1000 "dateTime":1500 "dateTime":2000 "dateTime":2500 "dateTime":3000 ' ]
}

@test "nexmark: watermarks 4 s behind the event times, unless --max-delay" {
	run bash -o pipefail -c "weir-source --gen nexmark --count 3000 --tps 100 --start 0 |
	    python3 $BATS_TEST_DIRNAME/wframes.py -d | python3 -c '
import sys
m = None; w = 0
for l in sys.stdin:
    t = l.split()
    if t[0] == \"W\":
        assert int(t[1]) == m - 4000, (t, m); w += 1
    elif t[0] != \"END\":
        m = int(t[0])
print(\"ok\" if w > 1 else \"no watermarks\")'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	run bash -o pipefail -c "weir-source --gen nexmark --count 3000 --tps 100 --start 0 \
	    --max-delay 1s | python3 $BATS_TEST_DIRNAME/wframes.py -d | grep '^W' | tail -1"
	[ "$output" = "W 19470" ]
}

@test "nexmark: --tps goes with --gen nexmark only" {
	run weir-source --gen clicks --tps 5 --count 1
	[ "$status" -eq 2 ]
	run weir-source --gen nope
	[ "$status" -eq 2 ]
	[[ "$output" == *nexmark* ]]
}

@test "nexmark: a checkpointed run killed 8 times resumes where it was (seek equals a fresh run)" {
	weir-source --gen nexmark --count 40000 --seed 2 | weir-sink -o "$T/ref"
	cd "$T"
	limit $KILL --rounds 8 --seed 3 --min 50 --max 300 chain \
	    "weir-source --gen nexmark --count 40000 --seed 2 --rate 60000 --checkpoint 100ms --state st" \
	    "weir-sink -o out --state st"
	cmp "$T/ref" "$T/out"
}

@test "nexmark: a million events, every auction's extra within its +-20% (no overflow of the padding)" {
	run bash -o pipefail -c "weir-source --gen nexmark --count 1000000 | weir-filter '.event_type == 1' |
	    weir-map -k .x 'x=len(.extra) + 8 + len(.itemName) + len(.description) + 40' |
	    weir-agg max:.x | weir-sink -f ndjson"
	echo "$output"
	[ "$status" -eq 0 ]
	# padded to 500 B +- 20% of what the fields left
	[[ "$output" =~ \"max_x\":([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -le 600 ]
	[ "${BASH_REMATCH[1]}" -gt 500 ]
}
