#!/usr/bin/env bats
# Checkpoints from a shell pipeline: --checkpoint/--state on the source,
# --state on every stage and the sink.  Crash safety is shown by killing
# stages with SIGKILL at random moments and comparing the output with an
# undisturbed run (tests/ckpt_kill.py), never by reasoning alone.

load helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"

@test "generator → filter → file: 20 random SIGKILLs, output equals an undisturbed run" {
	weir-source --gen clicks --count 60000 --seed 3 --max-delay 2s |
	    weir-filter '.amount > 30' | weir-sink -o "$T/ref"
	cd "$T"
	limit $KILL --rounds 20 --seed 11 --min 50 --max 400 chain \
	    "weir-source --gen clicks --count 60000 --seed 3 --max-delay 2s --rate 50000 --checkpoint 100ms --state st" \
	    "weir-filter '.amount > 30' --state st" \
	    "weir-sink -o out --state st"
	cmp "$T/ref" "$T/out"
}

@test "NDJSON and CSV files resume by byte offset after SIGKILLs" {
	weir-source --gen clicks --count 30000 | weir-sink -f ndjson > "$T/a.ndjson"
	weir-source --gen clicks --count 20000 --seed 2 | weir-sink -f csv > "$T/b.csv"
	weir-source "$T/a.ndjson" "$T/b.csv" | weir-sink -o "$T/ref"
	cd "$T"
	limit $KILL --rounds 20 --seed 5 --min 30 --max 300 chain \
	    "weir-source --rate 60000 --checkpoint 50ms --state st a.ndjson b.csv" \
	    "weir-sink -o out --state st"
	cmp "$T/ref" "$T/out"
}

@test "a finished pipeline run again with its state adds nothing" {
	cd "$T"
	weir-source --gen clicks --count 1000 --checkpoint 1s --state st | weir-sink -o out --state st
	cp out first
	weir-source --gen clicks --count 1000 --checkpoint 1s --state st | weir-sink -o out --state st
	cmp first out
	[ "$(wc -l < out)" -eq 1000 ]
}

@test "the sink truncates output written after the last committed checkpoint" {
	cd "$T"
	weir-source --gen clicks --count 100 --checkpoint 1s --state st | weir-sink -o out --state st
	echo '{"not":"committed"}' >> out
	weir-source --gen clicks --count 100 --checkpoint 1s --state st | weir-sink -o out --state st
	[ "$(wc -l < out)" -eq 100 ]
	! grep -q committed out || false
}

@test "--reset-state starts over" {
	cd "$T"
	weir-source --gen clicks --count 10 --checkpoint 1s --state st | weir-sink -o out --state st
	weir-source --gen clicks --count 10 --checkpoint 1s --state st --reset-state |
	    weir-sink -o out --state st --reset-state
	[ "$(wc -l < out)" -eq 10 ]
}

@test "one state directory per running pipeline: a second one exits 2" {
	cd "$T"
	weir-source --gen clicks --rate 100 --checkpoint 1s --state st > /dev/null &
	pid=$!
	sleep 0.5
	run weir-source --gen clicks --count 5 --checkpoint 1s --state st
	kill $pid; wait $pid || true
	[ "$status" -eq 2 ]
	[[ "$output" == *"in use by another process"* ]]
}

@test "bad snapshots are clear errors naming the file, exit 2" {
	cd "$T"
	# kill the sink mid-stream: COMMITTED names a checkpoint in the middle
	limit $KILL --rounds 1 --min 700 --max 700 --no-final chain \
	    "weir-source --gen clicks --count 5000 --checkpoint 10ms --state s2 --rate 2000" \
	    "weir-filter true --state s2" "weir-sink -o out2 --state s2" || true
	[ -n "$(ls s2/filter/*.snap)" ]
	# the sink may not have committed the newest: use the committed one
	for f in s2/filter/*.snap; do cp "$f" "$f.orig"; done
	for f in s2/filter/*.snap; do printf 'x' | dd of="$f" bs=1 seek=20 conv=notrunc 2>/dev/null; done
	run weir-filter true --state s2 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"s2/filter/"*".snap: checksum mismatch"* ]]

	for f in s2/filter/*.snap; do head -c 30 "$f.orig" > "$f"; done
	run weir-filter true --state s2 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *".snap: "*"truncated"* ]]
	for f in s2/filter/*.snap; do cp "$f.orig" "$f"; printf '\x07' | dd of="$f" bs=1 seek=8 conv=notrunc 2>/dev/null; done
	run weir-filter true --state s2 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"version 7"* ]]
	for f in s2/filter/*.snap; do cp "$f.orig" "$f"; done
	run weir-filter false --state s2 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"other arguments"*"--reset-state"* ]]
	rm s2/filter/*.snap
	run weir-filter true --state s2 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing: checkpoint"* ]]
	# (a checkpointed stage reads frames: an empty stream, header and END)
	run bash -o pipefail -c "weir-source /dev/null | weir-filter false --state s2 --reset-state"
	[ "$status" -eq 0 ]
}

@test "--checkpoint: usage errors" {
	run weir-source --gen clicks --checkpoint 1s
	[ "$status" -eq 2 ]
	[[ "$output" == *"--checkpoint needs --state"* ]]
	run bash -o pipefail -c "echo '{}' | weir-source --checkpoint 1s --state '$T/st'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a regular file"* ]]
	run weir-sink --state "$T/st" -o "$T/x" -a
	[ "$status" -eq 2 ]
	run weir-sink --state "$T/st" -f csv -o "$T/x"
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs --fields"* ]]
}

@test "a finished checkpointed weir-check run again writes the same report, not an empty one" {
	cd "$T"
	C="weir-check --not-null .user --unique-approx .user --pass -o report.json --report json --state st"
	weir-source --gen clicks --count 2000 --checkpoint 1s --state st | $C |
	    weir-sink -o out --state st || true
	jq -S 'del(.seconds)' report.json > first
	weir-source --gen clicks --count 2000 --checkpoint 1s --state st | $C |
	    weir-sink -o out --state st || true
	jq -S 'del(.seconds)' report.json | cmp first -
	[ "$(jq .records report.json)" -eq 2000 ]
	[ "$(wc -l < out)" -eq 2000 ]
}
