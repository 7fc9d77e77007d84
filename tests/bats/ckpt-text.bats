#!/usr/bin/env bats
# Checkpoints of a pipeline that ends in a stage writing text (weir-map -f
# ndjson, weir-filter -f csv) instead of weir-sink: no stage comes after
# it to see the barriers, so it commits them itself, as weir-sink does for
# its standard output (weir(7), CHECKPOINTS).  Without that nothing was
# ever committed: every restart began again from the start and the
# snapshots piled up in the state directory.

load helpers

@test "a stage writing text commits at each barrier and at END; old snapshots are pruned" {
	cd "$T"
	limit bash -o pipefail -c "weir-source --gen clicks --count 40000 \
	    --rate 100000 --checkpoint 20ms --state st |
	    weir-map -f ndjson 'x=.amount * 2' --state st > out"
	[ -f st/COMMITTED ]
	[ "$(wc -l < out)" -eq 40000 ]
	# about twenty checkpoints were taken; kept: the committed one, two
	# before it and one in flight, as behind weir-sink
	n=$(ls st/map | grep -c '\.snap$')
	[ "$n" -le 4 ]
	# run again: a finished pipeline adds nothing
	limit bash -o pipefail -c "weir-source --gen clicks --count 40000 \
	    --rate 100000 --checkpoint 20ms --state st |
	    weir-map -f ndjson 'x=.amount * 2' --state st > again"
	[ ! -s again ]
}

@test "weir-filter -f csv after a window and an aggregate commits too; a finished run adds nothing" {
	cd "$T"
	P="weir-source --gen clicks --count 5000 --max-delay 1s --checkpoint 1s \
	    --state st | weir-window tumbling 1s --state st |
	    weir-agg -g .user count --state st |
	    weir-filter -f csv 'true' --state st"
	limit bash -o pipefail -c "$P > out"
	[ -f st/COMMITTED ]
	[ -s out ]
	limit bash -o pipefail -c "$P > again"
	[ ! -s again ]
}

@test "weir-map -f ndjson killed with SIGKILL: the next run resumes at the committed checkpoint, nothing lost" {
	cd "$T"
	weir-source --gen clicks --count 40000 --seed 4 |
	    weir-map -f ndjson 'x=.amount * 2' > ref
	# first run: kill the map once a checkpoint is committed
	weir-source --gen clicks --count 40000 --seed 4 --rate 20000 \
	    --checkpoint 50ms --state st 2>/dev/null |
	    weir-map -f ndjson 'x=.amount * 2' --state st > out1 &
	map=$!		# the last command of the background pipeline
	i=0
	while [ ! -f st/COMMITTED ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ -f st/COMMITTED ]
	sleep 0.2
	kill -KILL "$map"
	wait || true
	[ "$(wc -l < out1)" -lt 40000 ]	# it died mid-stream
	limit bash -o pipefail -c "weir-source --gen clicks --count 40000 \
	    --seed 4 --rate 20000 --checkpoint 50ms --state st |
	    weir-map -f ndjson 'x=.amount * 2' --state st > out2"
	# resumed, not started again: out2 is a proper suffix of ref ...
	[ "$(wc -l < out2)" -lt 40000 ]
	[ "$(wc -l < out2)" -gt 0 ]
	tail -n "$(wc -l < out2)" ref | cmp - out2
	# ... and with what the first run wrote, nothing is missing
	cat out1 out2 | sort -u > got
	sort -u ref | cmp - got
}
