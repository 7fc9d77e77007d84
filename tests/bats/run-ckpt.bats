#!/usr/bin/env bats
# weir-run with checkpoint: {interval, dir}: stages and weir-run itself are
# killed with SIGKILL at random moments (tests/ckpt_kill.py); the output
# file must equal an undisturbed run's, byte for byte.

load helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"

# pipeline FILE STAGES...: a checkpointed pipeline file with quick restarts
pipeline() {
	local f=$1
	shift
	{
		echo "name: ck"
		echo "checkpoint: {interval: 100ms, dir: st}"
		echo "restart: {backoff: 50ms, max: 1000}"
		echo "stages:"
		for s in "$@"; do echo "  - $s"; done
	} > "$f"
}

@test "weir-run checkpoint: 20 SIGKILLs of stages and of weir-run, file equals an undisturbed run" {
	cd "$T"
	weir-source --gen clicks --count 80000 --seed 3 --max-delay 2s |
	    weir-filter '.amount > 30' | weir-map 'cents=.amount*100' | weir-sink -o ref
	pipeline p.yaml \
	    "{name: src, run: weir-source --gen clicks --count 80000 --seed 3 --max-delay 2s --rate 40000}" \
	    "{name: f, run: \"weir-filter '.amount > 30'\"}" \
	    "{name: m, run: \"weir-map 'cents=.amount*100'\"}" \
	    "{name: out, run: weir-sink -o out}"
	LIMIT=120 limit $KILL --rounds 20 --seed 7 --min 100 --max 300 run --kill-run p.yaml
	cmp ref out
}

@test "weir-run checkpoint: a second weir-run on the same state exits 2" {
	cd "$T"
	pipeline p.yaml "{name: src, run: weir-source --gen clicks --rate 100}" \
	    "{name: out, run: weir-sink -o out}"
	weir-run p.yaml & pid=$!
	sleep 0.5
	run limit weir-run p.yaml
	kill $pid; wait $pid || true
	[ "$status" -eq 2 ]
	[[ "$output" == *"in use by another running pipeline"* ]]
}

@test "weir-run checkpoint: --reset-state starts over; --check refuses stages that drop barriers" {
	cd "$T"
	pipeline p.yaml "{name: src, run: weir-source --gen clicks --count 100}" \
	    "{name: out, run: weir-sink -o out}"
	weir-run p.yaml
	weir-run p.yaml
	[ "$(wc -l < out)" -eq 100 ]
	weir-run --reset-state p.yaml
	[ "$(wc -l < out)" -eq 100 ]
	pipeline q.yaml "{name: src, run: weir-source --gen clicks --count 100}" \
	    "{name: j, run: jq -c .}" "{name: out, run: weir-sink -o out}"
	run weir-run --check q.yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *"q.yaml:"*"stage 'j': with checkpoint, every stage must be a weir program"* ]]
	printf 'checkpoint: {interval: 1s}\nstages:\n  - {name: a, run: weir-sink}\n' > r.yaml
	run weir-run --check r.yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *"r.yaml:1:"*"checkpoint: needs dir"* ]]
}

@test "weir-run checkpoint: a pipeline with two ends (two sinks) is refused, not committed by both" {
	# each end would record its checkpoints in the one COMMITTED file: one
	# sink's commit would stand for the other's output, and a restart
	# would cut the other's file to the first one's length
	cd "$T"
	pipeline p.yaml "{name: src, run: weir-source --gen clicks --count 100}" \
	    "{name: out, run: weir-sink -o out}" \
	    "{name: archive, input: src, stdout: none, run: weir-sink -o arch}"
	run weir-run --check p.yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *"p.yaml:"*"stage 'archive': with checkpoint, the pipeline has one end"*"'out'"* ]]
	run weir-run p.yaml
	[ "$status" -eq 2 ]
	[ ! -e out ] && [ ! -e arch ]
	# without checkpoints the same fan-out runs
	grep -v checkpoint p.yaml > q.yaml
	weir-run q.yaml
	cmp out arch
}
