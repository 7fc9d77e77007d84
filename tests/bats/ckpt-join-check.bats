#!/usr/bin/env bats
# Checkpoints of weir-join (aligned barriers from both inputs, merged
# payloads, snapshots, restore) and of weir-check (snapshots, restore).
# Frame streams come from wframes.py; a sink's commit record from
# snapfile.py commit, so a restore can be started without a sink.

load helpers

WF="$BATS_TEST_DIRNAME/wframes.py"
SF="$BATS_TEST_DIRNAME/snapfile.py"
export -f limit	# for pipelines under bash -c

# w NAME LINE...: a frame stream from wframes.py lines into $T/NAME
w() {
	local f="$T/$1"
	shift
	printf '%s\n' "$@" | python3 "$WF" > "$f"
}

# The two sides of an interval join with barrier 1 in both.  Before the
# barriers only l1-r2 (key a) pair; after them l2-r1 (key b, ts 22) and
# l1-r3 (key a, ts 23).
two_sides() {
	w left '{"ts":20,"k":"a","l":1}' 'B 1 {"src":{"gen":1}}' \
	    '{"ts":21,"k":"b","l":2}' END
	w right '{"ts":22,"k":"b","r":1}' '{"ts":22,"k":"a","r":2}' \
	    'B 1 {"rsrc":{"gen":2}}' '{"ts":23,"k":"a","r":3}' END
}

@test "weir-join: one barrier per id after both inputs, payloads merged, snapshot saved" {
	two_sides
	run bash -o pipefail -c "limit weir-join --right fd:3 --within 10ms --as r \
	    --state '$T/st' < '$T/left' 3< '$T/right' | python3 '$WF' -d"
	[ "$status" -eq 0 ]
	# nothing read after a barrier is joined before the barrier goes on
	[ "${lines[0]}" = "22/a" ]
	[ "${lines[1]}" = 'B 1 {"src":{"gen":1},"rsrc":{"gen":2}}' ]
	[ "$(printf '%s\n' "${lines[2]}" "${lines[3]}" | sort | tr '\n' ' ')" = \
	    "22/b 23/a " ]
	[ "${lines[4]}" = "END" ]
	[ "${#lines[@]}" -eq 5 ]
	[ -s "$T/st/join/1.snap" ]
}

@test "weir-join: the left input waits for the right's late barrier" {
	w left '{"ts":20,"k":"a","l":1}' 'B 1 {"src":{"gen":1}}' \
	    '{"ts":21,"k":"b","l":2}' END
	w r1 '{"ts":22,"k":"b","r":1}' '{"ts":22,"k":"a","r":2}'
	w right '{"ts":22,"k":"b","r":1}' '{"ts":22,"k":"a","r":2}' \
	    'B 1 {"rsrc":{"gen":2}}' '{"ts":23,"k":"a","r":3}' END
	n=$(wc -c < "$T/r1")
	mkfifo "$T/rf"
	# the right side: its records, then (once told) barrier 1 and more
	( head -c "$n" "$T/right"
	  for i in $(seq 600); do [ -e "$T/go" ] && break; sleep 0.05; done
	  tail -c +$((n + 1)) "$T/right" ) > "$T/rf" &
	wpid=$!
	limit weir-join --right "$T/rf" --within 10ms --as r --state "$T/st" \
	    < "$T/left" > "$T/out" &
	jpid=$!
	for i in $(seq 400); do
		grep -q '^22/a$' <(python3 "$WF" -d < "$T/out" 2>/dev/null) && break
		sleep 0.05
	done
	sleep 0.3
	run python3 "$WF" -d < "$T/out"
	# l1-r2 joined; no barrier yet, and l2 (after the left's barrier) unread
	[ "$output" = "22/a" ]
	[ ! -e "$T/st/join/1.snap" ]
	touch "$T/go"
	wait "$wpid"
	wait "$jpid"
	run python3 "$WF" -d < "$T/out"
	[ "${lines[1]}" = 'B 1 {"src":{"gen":1},"rsrc":{"gen":2}}' ]
	[ "$(printf '%s\n' "${lines[2]}" "${lines[3]}" | sort | tr '\n' ' ')" = \
	    "22/b 23/a " ]
	[ -s "$T/st/join/1.snap" ]
}

@test "weir-join: an input that ended has every barrier; ids must rise by one" {
	w left 'B 4 {"a":1}' '{"ts":20,"k":"a","l":1}' 'B 5' END
	w right END
	run bash -o pipefail -c "limit weir-join --right fd:3 --within 10ms --as r \
	    < '$T/left' 3< '$T/right' | python3 '$WF' -d"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'B 4 {"a":1}\nB 5\nEND')" ]
	w left 'B 4' 'B 6' END
	run limit weir-join --right fd:3 --within 10ms --as r < "$T/left" 3< "$T/right"
	[ "$status" -eq 3 ]
	[[ "$output" == *"barrier 6 out of order"* ]]
	w left 'B 4' END
	w right 'B 3' END
	run limit weir-join --right fd:3 --within 10ms --as r < "$T/left" 3< "$T/right"
	[ "$status" -eq 3 ]
	[[ "$output" == *"out of order"* ]]
}

@test "weir-join: restore from the committed snapshot joins with the saved buffers" {
	two_sides
	limit weir-join --right fd:3 --within 10ms --as r --state "$T/st" \
	    < "$T/left" 3< "$T/right" > /dev/null
	python3 "$SF" commit "$T/st" 1 '{"src":{"gen":1},"rsrc":{"gen":2}}'
	# what the sources send after the barrier
	w left2 '{"ts":21,"k":"b","l":2}' END
	w right2 '{"ts":23,"k":"a","r":3}' END
	run bash -o pipefail -c "limit weir-join --right fd:3 --within 10ms --as r \
	    --state '$T/st' < '$T/left2' 3< '$T/right2' 2> '$T/err' | python3 '$WF' -d | sort"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '22/b\n23/a\nEND')" ]
	grep -q "resumed from checkpoint 1" "$T/err"
	# without the state nothing pairs
	run bash -o pipefail -c "limit weir-join --right fd:3 --within 10ms --as r \
	    < '$T/left2' 3< '$T/right2' | python3 '$WF' -d"
	[ "$output" = "END" ]
}

@test "weir-join: a table file's rows come from the snapshot on restore" {
	printf '%s\n' '{"k":"a","name":"alice"}' > "$T/table.ndjson"
	w left '{"ts":1,"k":"a","n":1}' 'B 7 {"src":1}' END
	run bash -o pipefail -c "limit weir-join --table '$T/table.ndjson' \
	    --on .k --state '$T/st' < '$T/left' | python3 '$WF' -d"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1/a\nB 7 {"src":1}\nEND')" ]
	[ -s "$T/st/join/7.snap" ]
	python3 "$SF" commit "$T/st" 7 '{"src":1}'
	: > "$T/table.ndjson"	# the restored run does not read it again
	w left2 '{"ts":2,"k":"a","n":2}' END
	run bash -o pipefail -c "limit weir-join --table '$T/table.ndjson' \
	    --on .k --state '$T/st' < '$T/left2' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"name":"alice"'* ]]
}

@test "weir-join: a corrupt committed snapshot is an error naming the file" {
	two_sides
	limit weir-join --right fd:3 --within 10ms --as r --state "$T/st" \
	    < "$T/left" 3< "$T/right" > /dev/null
	python3 "$SF" commit "$T/st" 1 '{}'
	printf 'X' | dd of="$T/st/join/1.snap" bs=1 seek=40 conv=notrunc 2>/dev/null
	run limit weir-join --right fd:3 --within 10ms --as r --state "$T/st" \
	    < "$T/left" 3< "$T/right"
	[ "$status" -eq 2 ]
	[[ "$output" == *"join/1.snap"* ]]
	# other arguments: the snapshot is not theirs
	limit weir-join --right fd:3 --within 10ms --as r --state "$T/st2" \
	    < "$T/left" 3< "$T/right" > /dev/null
	python3 "$SF" commit "$T/st2" 1 '{}'
	run limit weir-join --right fd:3 --within 20ms --as r --state "$T/st2" \
	    < "$T/left" 3< "$T/right"
	[ "$status" -eq 2 ]
	[[ "$output" == *"join/1.snap"*"other arguments"* ]]
	# --reset-state starts over
	run bash -o pipefail -c "limit weir-join --right fd:3 --within 20ms --as r \
	    --state '$T/st2' --reset-state < '$T/left' 3< '$T/right' | \
	    python3 '$WF' -d"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = 'B 1 {"src":{"gen":1},"rsrc":{"gen":2}}' ]
}

@test "weir-check: saves at a barrier, forwards it, and restores its unique sets" {
	w in '{"ts":1,"id":1}' '{"ts":2,"id":2}' 'B 1 {"src":{"gen":2}}' \
	    '{"ts":3,"id":3}' END
	run bash -o pipefail -c "limit weir-check --unique .id --pass \
	    --state '$T/st' -o '$T/rep' < '$T/in' | python3 '$WF' -d"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n2\nB 1 {"src":{"gen":2}}\n3\nEND')" ]
	[ -s "$T/st/check/1.snap" ]
	python3 "$SF" commit "$T/st" 1 '{"src":{"gen":2}}'
	# after the restore, id 2 was seen before the barrier: a duplicate
	w in2 '{"ts":3,"id":2}' END
	run limit weir-check --unique .id --pass --state "$T/st" -o "$T/rep" \
	    < "$T/in2"
	[ "$status" -eq 1 ]
	run cat "$T/rep"
	[[ "$output" == *"3 records"* ]]
	[[ "$output" == *"stdin record 3"* ]]
	run limit weir-check --unique .id --pass -o "$T/rep" < "$T/in2"
	[ "$status" -eq 0 ]
}

@test "weir-check: a corrupt snapshot, other rules, and files with --state" {
	w in '{"ts":1,"id":1}' 'B 1' END
	limit weir-check --unique .id --state "$T/st" < "$T/in" > /dev/null
	python3 "$SF" commit "$T/st" 1 '{}'
	cp "$T/st/check/1.snap" "$T/good"
	head -c -3 "$T/good" > "$T/st/check/1.snap"
	run limit weir-check --unique .id --state "$T/st" < "$T/in"
	[ "$status" -eq 2 ]
	[[ "$output" == *"check/1.snap"* ]]
	cp "$T/good" "$T/st/check/1.snap"
	run limit weir-check --unique .id --not-null .id --state "$T/st" < "$T/in"
	[ "$status" -eq 2 ]
	[[ "$output" == *"check/1.snap"* ]]
	run limit weir-check --unique .id --state "$T/st" "$T/in"
	[ "$status" -eq 2 ]
	[[ "$output" == *"stdin only"* ]]
}

@test "weir-join: a streamed table aligns its barriers with the left's" {
	w left '{"ts":1,"k":"a","n":1}' 'B 1 {"l":1}' '{"ts":2,"k":"a","n":2}' END
	w table '{"k":"a","name":"x"}' 'B 1 {"t":1}' '{"k":"a","name":"y"}' END
	run bash -o pipefail -c "limit weir-join --table fd:3 --on .k --state '$T/st' \
	    < '$T/left' 3< <(cat '$T/table') | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	# the update after the table's barrier applies after the barrier:
	# first to the left record after it, as in a run restored there
	[ "${lines[0]}" = '{"ts":1,"k":"a","n":1,"name":"x"}' ]
	[ "${lines[1]}" = '{"ts":2,"k":"a","n":2,"name":"y"}' ]
	[ -s "$T/st/join/1.snap" ]
	run bash -o pipefail -c "limit weir-join --table fd:3 --on .k \
	    < '$T/left' 3< <(cat '$T/table') | python3 '$WF' -d"
	[ "${lines[1]}" = 'B 1 {"l":1,"t":1}' ]
	python3 "$SF" commit "$T/st" 1 '{"l":1,"t":1}'
	w left2 '{"ts":2,"k":"a","n":2}' END
	w table2 '{"k":"a","name":"y"}' END
	# (the rest of the table as a file, read before the left: no race)
	run bash -o pipefail -c "limit weir-join --table fd:3 --on .k --state '$T/st' \
	    < '$T/left2' 3< '$T/table2' 2> '$T/err' | weir-sink -f ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = '{"ts":2,"k":"a","n":2,"name":"y"}' ]
}

@test "weir-check --window: windows open at the barrier are judged after a restore" {
	w in '{"ts":1000,"id":1}' '{"ts":1500,"id":2}' 'B 3' \
	    '{"ts":1700,"id":1}' 'W 2000' '{"ts":2100,"id":5}' END
	run bash -o pipefail -c "limit weir-check --window 1s --unique .id --count 3..3 \
	    --state '$T/st' < '$T/in' 2> /dev/null"
	[ "$status" -eq 1 ]
	want=$output
	python3 "$SF" commit "$T/st" 3 '{}'
	w in2 '{"ts":1700,"id":1}' 'W 2000' '{"ts":2100,"id":5}' END
	run bash -o pipefail -c "limit weir-check --window 1s --unique .id --count 3..3 \
	    --state '$T/st' < '$T/in2' 2> '$T/err'"
	[ "$status" -eq 1 ]
	[ "$output" = "$want" ]
	grep -q "resumed from checkpoint 3" "$T/err"
	[[ "$output" == *"4 records"* ]]
	[[ "$output" == *"stdin record 3"* ]]
}
