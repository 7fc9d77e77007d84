#!/usr/bin/env bats
# weir-agg: the order of the results of groups that close together (one
# window, or windows closed by one watermark) is that of the windows, then
# of the group values, whatever order the records came in, and after a
# restart from a checkpoint (weir-agg(1), Output).
load helpers

SF="$BATS_TEST_DIRNAME/snapfile.py"

# clicks N SEED: N click lines in two one-minute windows, as envelopes with
# their window; users of every kind of group value
clicks() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed)
		split("\"u7\" \"u10\" \"a\" \"\\\"q\\\"\" \"b\" 10 2 1.5 -3 null true false \"\"", u, " ")
		for (i = 0; i < n; i++) {
			ts = 60000 + int(i * 120000 / n)
			s = ts - ts % 60000
			printf "{\"ts\":%d,\"window\":[%d,%d],\"value\":{\"ts\":%d,\"user\":%s,\"amount\":%d}}\n",
			    ts, s, s + 60000, ts, u[1 + int(rand() * 13)], int(rand() * 100)
		}
	}'
}

# shuffle: the lines of each window in another order (same windows, same
# event times order across windows)
shuffle() {
	awk -v seed="$1" 'BEGIN { srand(seed) }
	{ match($0, /"window":\[[0-9]+/); w = substr($0, RSTART + 10, RLENGTH - 10)
	  print w "\t" rand() "\t" $0 }' | sort -t "$(printf '\t')" -k1,1n -k2,2n |
	    cut -f 3-
}

AGG="-g .user count sum:.amount"

@test "the groups of a window come out in the order of their values, whatever the records' order" {
	clicks 3000 1 > "$T/a"
	shuffle 2 < "$T/a" > "$T/b"
	! cmp -s "$T/a" "$T/b" || false
	for f in a b; do
		weir-source -f envelope "$T/$f" | weir-agg $AGG |
		    weir-sink -f ndjson > "$T/$f.out"
	done
	cmp "$T/a.out" "$T/b.out"
	[ "$(wc -l < "$T/a.out")" -eq 26 ]
	# null, false, true, numbers by value, strings by their characters
	run bash -c "head -n 13 '$T/a.out' | sed 's/.*\"user\":\\([^,]*\\),.*/\\1/' | tr '\n' ' '"
	[ "$output" = 'null false true -3 1.5 2 10 "" "\"q\"" "a" "b" "u10" "u7" ' ]
	# and the next stage, which reads them in that order, agrees too
	for f in a b; do
		weir-source -f envelope "$T/$f" | weir-agg $AGG |
		    weir-agg --rows 3 avg=avg:.count | weir-sink -f ndjson > "$T/$f.rows"
	done
	cmp "$T/a.rows" "$T/b.rows"
}

@test "without windows, at the end: the same order" {
	clicks 500 3 | sed 's/"window":\[[0-9]*,[0-9]*\],//' > "$T/a"
	tac "$T/a" > "$T/b"
	for f in a b; do
		weir-source -f envelope "$T/$f" | weir-agg $AGG |
		    weir-sink -f ndjson > "$T/$f.out"
	done
	cmp "$T/a.out" "$T/b.out"
	[ "$(head -n 1 "$T/a.out" | cut -c 1-13)" = '{"user":null,' ]
}

@test "a run restarted from a checkpoint writes its groups in the same order" {
	clicks 3000 4 > "$T/a"
	shuffle 5 < "$T/a" > "$T/b"
	weir-source -f envelope "$T/a" | weir-agg $AGG | weir-sink -f envelope > "$T/ref"
	# the other order, cut in the first window with a crash and a restart
	weir-source -f envelope "$T/b" > "$T/stream"
	python3 "$SF" split "$T/stream" 700 1 "$T/full" "$T/s1" "$T/s2"
	st=0
	limit weir-agg $AGG --state "$T/D" < "$T/s1" > /dev/null 2>&1 || st=$?
	[ "$st" -eq 3 ]	# a crash: upstream ended without END
	python3 "$SF" commit "$T/D" 1 '{"src":{"gen":700}}'
	limit weir-agg $AGG --state "$T/D" < "$T/s2" | weir-sink -f envelope > "$T/out"
	cmp "$T/ref" "$T/out"
}

@test "nexmark q6 with checkpoints: the same rows in the same order on every run" {
	# the sessions closing together come from weir-join's two inputs in
	# whatever order they interleave; the next weir-agg --rows reads the
	# order the previous one wrote (before: a different output every run)
	p="$BATS_TEST_DIRNAME/../../pipelines/nexmark/q6.yaml"
	for i in 1 2 3; do
		rm -rf "$T/st"
		{ echo "checkpoint: {interval: 200ms, dir: $T/st}"; cat "$p"; } > "$T/q6.yaml"
		COUNT=20000 limit weir-run "$T/q6.yaml" 2> /dev/null > "$T/out$i"
		[ "$(wc -l < "$T/out$i")" -gt 500 ]
	done
	cmp "$T/out1" "$T/out2"
	cmp "$T/out1" "$T/out3"
}
