#!/usr/bin/env bats
# Checkpoints of weir-window and weir-agg (--state): a snapshot at each
# barrier, the barrier forwarded after it, and a restart from the committed
# checkpoint that carries on exactly where the first run stood.
load helpers

WF="$BATS_TEST_DIRNAME/wframes.py"
SF="$BATS_TEST_DIRNAME/snapfile.py"
AGG="-g .page count sum:.amount avg:.amount min:.amount max:.amount
first:.user last:.user distinct:.user approx_distinct:.user p50:.amount
p99.9:.amount topk:3:.user stddev:.amount min:.page"

@test "weir-window --state: N.snap at barrier N, written before it is forwarded" {
	printf '%s\n' '{"ts":1,"k":"a"}' '{"ts":3,"k":"b"}' 'W 2' 'B 4' \
	    '{"ts":12,"k":"a"}' 'B 5' 'END' | python3 "$WF" > "$T/in"
	run limit bash -o pipefail -c "weir-window session 5ms --state '$T/D' \
	    < '$T/in' | python3 '$WF' -d | paste -sd' '"
	[ "$status" -eq 0 ]
	[ "$output" = "W 1 B 4 B 5 1@1,6/a 3@3,8/b 12@12,17/a END" ]
	run python3 "$SF" check "$T/D/window/4.snap"
	[ "$status" -eq 0 ]
	[ "$output" = "weir-window 4" ]
	[ -f "$T/D/window/5.snap" ]
	[ ! -e "$T/D/COMMITTED" ]	# only the sink commits
}

@test "weir-agg --state, --name: the snapshot goes to DIR/NAME" {
	printf '%s\n' '{"ts":1,"k":"a","x":1}' 'B 1' '{"ts":2,"k":"a","x":2}' \
	    'END' | python3 "$WF" > "$T/in"
	run limit bash -o pipefail -c "weir-agg sum:.x --state '$T/D' \
	    --name total < '$T/in' | python3 '$WF' -d | paste -sd' '"
	[ "$status" -eq 0 ]
	[ "$output" = "B 1 2/a END" ]
	run python3 "$SF" check "$T/D/total/1.snap"
	[ "$output" = "weir-agg 1" ]
	[ ! -e "$T/D/agg" ]
}

# Cut the generated clicks after record K with barrier 1, run PIPELINE (a
# shell command reading stdin, with $ST for its --state options) on the
# first part until it breaks off at its end (no END: a crash), commit
# checkpoint 1 as the sink would, and run it again on the rest: what the
# second run emits must equal what the uninterrupted run emitted after the
# barrier, byte for byte (as envelope lines).
restart_matches() {
	local k=$1 pipeline=$2 n
	limit weir-source --gen clicks --count 4000 --users 60 \
	    --max-delay 2s > "$T/clicks"
	python3 "$SF" split "$T/clicks" "$k" 1 "$T/full" "$T/a" "$T/b"
	ST= limit bash -o pipefail -c "$pipeline" < "$T/full" > "$T/ref" \
	    2> "$T/ref.err"
	# the records the uninterrupted run emitted before the barrier
	n=$(python3 "$WF" -d < "$T/ref" |
	    awk '$1 == "B" && $2 == 1 { stop = 1 } !stop && !/^[WB]/ { n++ }
	    END { print n + 0 }')
	weir-sink -f envelope < "$T/ref" | tail -n +$((n + 1)) > "$T/ref.tail"
	[ -s "$T/ref.tail" ]
	run env ST="--state $T/D" timeout -k 5 60 bash -o pipefail -c "$pipeline" < "$T/a"
	[ "$status" -eq 3 ]	# upstream ended without END
	python3 "$SF" commit "$T/D" 1 "{\"src\":{\"gen\":$k}}"
	ST="--state $T/D" limit bash -o pipefail -c "$pipeline" < "$T/b" \
	    > "$T/out" 2> "$T/out.err"
	weir-sink -f envelope < "$T/out" > "$T/out.tail"
	cmp "$T/ref.tail" "$T/out.tail"
}

@test "restart: session windows per user, then every aggregate per page" {
	restart_matches 2100 "weir-window session 300ms -g .user \$ST |
	    weir-agg $(echo $AGG) \$ST"
}

@test "restart: hopping windows, aggregates emitted as updates" {
	restart_matches 1500 "weir-window hopping 1s 250ms \$ST |
	    weir-agg --emit updates $(echo $AGG) \$ST"
}

@test "restart: hopping windows as HOP records, every aggregate final, late records passed" {
	restart_matches 1700 "weir-window hopping 1s 250ms --late pass \$ST |
	    weir-agg $(echo $AGG) max_by:.amount top:2:.amount \$ST"
}

@test "restart: unwindowed aggregates per user, emitted at the end" {
	restart_matches 3000 "weir-agg -g .user count sum:.amount \
	    distinct:.page topk:2:.page p50:.amount \$ST"
}

@test "restart: the late counts go on from the snapshot's" {
	printf '%s\n' '{"ts":1,"k":"a"}' 'W 30' '{"ts":2,"k":"a"}' 'B 1' |
	    python3 "$WF" > "$T/a"
	printf '%s\n' '{"ts":3,"k":"a"}' '{"ts":40,"k":"a"}' 'END' |
	    python3 "$WF" > "$T/b"
	p="weir-window tumbling 10ms --late pass --state $T/D |
	    weir-agg count --state $T/D"
	run limit bash -o pipefail -c "$p" < "$T/a"
	[ "$status" -eq 3 ]
	python3 "$SF" commit "$T/D" 1
	run limit bash -o pipefail -c "$p > /dev/null" < "$T/b"
	[ "$status" -eq 0 ]
	[[ "$output" == *"weir-window: passed 2 late records on"* ]]
	[[ "$output" == *"weir-agg: dropped 2 late records"* ]]
}

@test "a corrupt committed snapshot: exit 2 naming the file" {
	printf '%s\n' '{"ts":1,"k":"a","x":1}' 'B 1' | python3 "$WF" > "$T/a"
	printf '%s\n' '{"ts":2,"k":"a","x":2}' 'END' | python3 "$WF" > "$T/b"
	for prog in "weir-window tumbling 10ms" "weir-agg sum:.x"; do
		rm -rf "$T/D"
		run limit bash -o pipefail -c "$prog --state '$T/D' < '$T/a' > /dev/null"
		[ "$status" -eq 3 ]
		python3 "$SF" commit "$T/D" 1
		snap=$(echo "$T"/D/*/1.snap)
		[ -f "$snap" ]
		cp "$snap" "$T/good"
		# a bit flipped
		python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[len(d) // 2] ^= 4; open(p, "wb").write(d)' "$snap"
		run limit bash -o pipefail -c "$prog --state '$T/D' < '$T/b' > /dev/null"
		[ "$status" -eq 2 ]
		[[ "$output" == *"$snap"*"checksum"* ]]
		# cut short
		head -c 30 "$T/good" > "$snap"
		run limit bash -o pipefail -c "$prog --state '$T/D' < '$T/b' > /dev/null"
		[ "$status" -eq 2 ]
		[[ "$output" == *"$snap"* ]]
		# intact again: it loads
		cp "$T/good" "$snap"
		run limit bash -o pipefail -c "$prog --state '$T/D' < '$T/b' > /dev/null"
		[ "$status" -eq 0 ]
	done
}

@test "a snapshot of other arguments is refused; --reset-state starts over" {
	printf '%s\n' '{"ts":1,"k":"a","x":1}' 'B 1' | python3 "$WF" > "$T/a"
	printf '%s\n' '{"ts":2,"k":"a","x":2}' 'END' | python3 "$WF" > "$T/b"
	run limit bash -o pipefail -c "weir-agg sum:.x --state '$T/D' < '$T/a' > /dev/null"
	[ "$status" -eq 3 ]
	python3 "$SF" commit "$T/D" 1
	run limit bash -o pipefail -c "weir-agg sum:.y --state '$T/D' < '$T/b' > /dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" == *"1.snap"*"other arguments"* ]]
	run limit bash -o pipefail -c "weir-agg sum:.y --state '$T/D' \
	    --reset-state < '$T/b' | python3 '$WF' -d | paste -sd' '"
	[ "$status" -eq 0 ]
	[ "$output" = "2/a END" ]
	# the restored sum:.x carries the 1 from before the barrier
	run limit bash -o pipefail -c "weir-agg sum:.x --state '$T/E' \
	    < '$T/a' > /dev/null"
	python3 "$SF" commit "$T/E" 1
	run limit bash -o pipefail -c "weir-agg sum:.x --state '$T/E' \
	    < '$T/b' 2> /dev/null | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"key":"a","sum_x":3}' ]
}
