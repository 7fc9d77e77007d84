#!/usr/bin/env bats
# weir-source: results are a function of the data and the options alone
# (issue: lateness must not depend on how input bytes arrive), --time now
# with the generator, --rate that paces without changing event times.

load helpers

# late COUNT from weir-window's warning, given a command producing NDJSON
late_of() {
	bash -o pipefail -c "$1 | weir-source --time .ts --max-delay 300ms |
	    weir-window tumbling 1s 2>&1 >/dev/null | grep -o 'dropped [0-9]*' || echo 'dropped 0'"
}

@test "lateness is the same whether a file is read whole or trickles through a pipe" {
	weir-source --gen clicks --count 20000 | weir-sink -f ndjson > "$T/ev.ndjson"
	whole=$(late_of "cat '$T/ev.ndjson'")
	# the same bytes in 4 KB chunks with pauses, so every read is short
	chunks=$(late_of "python3 -c '
import sys, time
d = open(sys.argv[1], \"rb\").read()
for i in range(0, len(d), 4096):
    sys.stdout.buffer.write(d[i:i+4096]); sys.stdout.flush(); time.sleep(0.0005)
' '$T/ev.ndjson'")
	echo "whole: $whole, chunks: $chunks"
	[ "$whole" = "$chunks" ]
	[ "$whole" != "dropped 0" ]
}

@test "lateness matches an oracle: late iff behind the last watermark's window cutoff" {
	weir-source --gen clicks --count 5000 | weir-sink -f ndjson > "$T/ev.ndjson"
	got=$(late_of "cat '$T/ev.ndjson'")
	# watermark before record i: max ts of records before i, minus 300 ms;
	# a record is late when its 1 s window ended at or before that watermark
	want=$(python3 -c '
import json, sys
m = None; late = 0
for l in open(sys.argv[1]):
    t = json.loads(l)["ts"]
    if m is not None and (t // 1000 + 1) * 1000 <= m - 300:
        late += 1
    m = t if m is None else max(m, t)
print("dropped %d" % late)' "$T/ev.ndjson")
	echo "got $got want $want"
	[ "$got" = "$want" ]
}

@test "--time now works with --gen" {
	before=$(date +%s%3N)
	run bash -o pipefail -c "weir-source --gen clicks --count 3 --time now | weir-sink -f envelope"
	[ "$status" -eq 0 ]
	ts=$(echo "${lines[0]}" | jq .ts)
	[ "$ts" -ge "$before" ]
}

@test "--rate paces the generator without changing its records or times" {
	weir-source --gen clicks --count 300 --seed 7 | weir-sink -f envelope > "$T/fast"
	weir-source --gen clicks --count 300 --seed 7 --rate 1000 | weir-sink -f envelope > "$T/paced"
	cmp "$T/fast" "$T/paced"
}

@test "--rate paces a file too" {
	weir-source --gen clicks --count 400 | weir-sink -f ndjson > "$T/ev.ndjson"
	start=$(date +%s%N)
	weir-source --rate 1000 "$T/ev.ndjson" | weir-sink -f ndjson > "$T/out"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	cmp "$T/ev.ndjson" "$T/out"
	[ "$ms" -ge 300 ]
}
