#!/usr/bin/env bats
# Checkpoints under fire: each pipeline is killed with SIGKILL 20 times at
# random moments -- a random stage (source and sink included), and in the
# weir-run tests weir-run itself -- and must then finish with the output
# of an undisturbed run: sorted, byte for byte (tests/ckpt_kill.py).

load helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"
export LIMIT=150

# yaml FILE STAGES...: a checkpointed pipeline with quick restarts
yaml() {
	local f=$1
	shift
	{
		echo "checkpoint: {interval: 100ms, dir: st}"
		echo "restart: {backoff: 50ms, max: 1000}"
		echo "stages:"
		for s in "$@"; do echo "  - $s"; done
	} > "$f"
}

same_sorted() {
	sort "$1" > "$1.sorted"
	sort "$2" > "$2.sorted"
	cmp "$1.sorted" "$2.sorted"
	[ -s "$1" ]
}

GEN="weir-source --gen clicks --count 100000 --seed 3 --max-delay 2s"

@test "kill -9: tumbling windows and weir-agg under weir-run, stages and weir-run killed" {
	cd "$T"
	$GEN | weir-window tumbling 10s | weir-agg -g .user count sum:.amount max:.amount |
	    weir-sink -o ref
	yaml p.yaml "{name: src, run: $GEN --rate 40000}" \
	    "{name: win, run: weir-window tumbling 10s}" \
	    "{name: agg, run: weir-agg -g .user count sum:.amount max:.amount}" \
	    "{name: out, run: weir-sink -o out}"
	limit $KILL --rounds 20 --seed 21 --min 100 --max 300 run --kill-run p.yaml
	same_sorted ref out
}

@test "kill -9: a file through hopping windows and quantiles under weir-run, stages and weir-run killed" {
	cd "$T"
	$GEN | weir-sink -f ndjson > ev.ndjson
	S="weir-source --time .ts --max-delay 2s"
	$S ev.ndjson | weir-window hopping 10s 2s | weir-agg -g .page count p90:.amount distinct:.user |
	    weir-sink -o ref
	yaml p.yaml "{name: src, run: $S --rate 50000 ev.ndjson}" \
	    "{name: win, run: weir-window hopping 10s 2s}" \
	    "{name: agg, run: weir-agg -g .page count p90:.amount distinct:.user}" \
	    "{name: out, run: weir-sink -o out}"
	limit $KILL --rounds 20 --seed 22 --min 100 --max 300 run --kill-run p.yaml
	same_sorted ref out
}

@test "kill -9: session windows per user, shell pipeline" {
	cd "$T"
	G="weir-source --gen clicks --count 60000 --seed 5 --users 3000 --max-delay 2s"
	$G | weir-window session 3s -g .user | weir-agg -g .user count first:.page last:.page |
	    weir-sink -o ref
	limit $KILL --rounds 20 --seed 23 --min 50 --max 400 chain \
	    "$G --rate 40000 --checkpoint 100ms --state st" \
	    "weir-window session 3s -g .user --state st" \
	    "weir-agg -g .user count first:.page last:.page --state st" \
	    "weir-sink -o out --state st"
	same_sorted ref out
}

@test "kill -9: an interval join of two sources under weir-run" {
	cd "$T"
	L="weir-source --gen clicks --seed 3 --count 30000 --max-delay 2s --users 500"
	R="weir-source --gen clicks --seed 9 --count 30000 --max-delay 2s --users 500"
	$L | weir-join --right <($R) --within 1s --on .user -p r_ | weir-sink -o ref
	yaml p.yaml "{name: right, run: $R --rate 20000}" \
	    "{name: left, run: $L --rate 20000}" \
	    "{name: j, run: weir-join --right fd:3 --within 1s --on .user -p r_, inputs: {3: right}}" \
	    "{name: out, run: weir-sink -o out}"
	limit $KILL --rounds 20 --seed 24 --min 100 --max 300 run --kill-run p.yaml
	same_sorted ref out
}

@test "kill -9: a stream-table join and weir-check --window, shell pipeline" {
	cd "$T"
	for i in $(seq 0 999); do echo "{\"id\":\"u$i\",\"tier\":$((i % 3))}"; done > users.ndjson
	C="weir-check --window 10s --not-null .user --range .amount=0..100 --unique-approx .user --pass -o report.json --report json"
	# the unique rule fails (users repeat): exit 1, the same report
	$GEN | weir-join --table users.ndjson --on .user=.id | $C | weir-sink -o ref || true
	mv report.json ref-report.json
	limit $KILL --allow-status 1 --rounds 20 --seed 25 --min 50 --max 400 chain \
	    "$GEN --rate 50000 --checkpoint 100ms --state st" \
	    "weir-join --table users.ndjson --on .user=.id --state st" \
	    "$C --state st" \
	    "weir-sink -o out --state st"
	same_sorted ref out
	# the same report but for its run time
	cmp <(jq -S 'del(.seconds)' ref-report.json) <(jq -S 'del(.seconds)' report.json)
	[ "$(jq .passed report.json)" = false ]
}
