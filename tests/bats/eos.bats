#!/usr/bin/env bats
# Exactly once from Kafka to Kafka (weir(7), EXACTLY-ONCE): a transactional
# weir-sink under SIGKILLs, injected coordinator errors and a broker that
# goes down; read back with weir-source --committed-only, since weir-broker
# (librdkafka's mock cluster) does not hide aborted records from
# read_committed readers.

load helpers
load kafka_helpers

KILL="python3 $BATS_TEST_DIRNAME/../ckpt_kill.py"
export LIMIT=240

# produce N generated clicks with an id to topic in
produce() {
	weir-source --gen clicks --count "$1" --seed "${2:-4}" \
	    --start $((1700000000000 + ${2:-4} * 100000000)) |
	    weir-map 'id=.ts' | weir-sink -b "$B" -t in
}

# committed TOPIC: what a committed-only reader gets, as NDJSON
committed() {
	limit weir-source -b "$B" -t "$1" -e --committed-only | weir-sink -f ndjson
}

# pipeline FILE STAGES...: a checkpointed pipeline file, quick restarts
pipeline() {
	local f=$1
	shift
	{
		echo "name: eos"
		echo "checkpoint: {interval: 200ms, dir: st}"
		echo "restart: {backoff: 100ms, max: 1000}"
		echo "stages:"
		for s in "$@"; do echo "  - $s"; done
	} > "$f"
}

@test "eos: -G source, windows, transactional sink under weir-run: 20 SIGKILLs of stages and weir-run, committed output equals an undisturbed run" {
	# one partition: with several, which records are late depends on how
	# the partitions' messages interleave (weir-source(1), WATERMARKS)
	broker_start --topic in:1 --topic out:1
	produce 40000
	cd "$T"
	weir-source -b "$B" -G ref -e $GROUPX --time .ts --max-delay 2s in |
	    weir-window tumbling 5s | weir-agg -g .page count sum:.amount |
	    weir-sink -f ndjson > ref
	[ -s ref ]
	pipeline p.yaml \
	    "{name: src, run: weir-source -b $B -G g -e $GROUPX --time .ts --max-delay 2s --rate 4000 in}" \
	    "{name: win, run: weir-window tumbling 5s}" \
	    "{name: agg, run: weir-agg -g .page count sum:.amount}" \
	    "{name: out, run: weir-sink -b $B -t out}"
	limit $KILL --rounds 20 --seed 41 --min 300 --max 1200 run --kill-run p.yaml > kills.log 2>&1 || { cat kills.log; false; }
	grep -v "^round" kills.log | tail -1 | sed "s/^/# /" >&3
	committed out > got
	# the transactions are weir-run's: eos.out
	kcatc -t out -e -q -f '%h\n' | grep -q 'weir-attempt=eos.out/'
	sort ref > ref.s
	sort got > got.s
	echo "# out: $(kcatc -t out -e -q -f '%o\n' | wc -l) messages in the log, $(wc -l < got) committed, $(wc -l < ref) expected" >&3
	cmp ref.s got.s
	# every input message counted once: the counts add up to the input
	# less the records late in both runs alike
	[ "$(jq -s 'map(.count) | add' got)" -eq "$(jq -s 'map(.count) | add' ref)" ]
}

@test "eos: killed between COMMITTED and the Kafka commit, the sink sends the checkpoint again from its spool: nothing lost, nothing twice" {
	broker_start --topic out:1
	cd "$T"
	S="weir-source --gen clicks --count 6000 --seed 5 --rate 6000 --checkpoint 100ms --state st"
	# WEIR_EOS_CRASH=N: the sink kills itself right after it wrote
	# COMMITTED N, before the transaction of N commits in Kafka
	run bash -c "$S | weir-map 'id=.ts' --state st |
	    WEIR_EOS_CRASH=3 weir-sink -b $B -t out --state st --transactional-id t"
	[ "$status" -ne 0 ]
	run python3 "$BATS_TEST_DIRNAME/snapfile.py" check st/COMMITTED
	[[ "$output" == *" 3"* ]]
	kcatc -t out.weir-progress -e -q -f '%s\n' | tail -1 | jq -e '.checkpoint == 2'
	run limit bash -o pipefail -c "$S | weir-map 'id=.ts' --state st |
	    weir-sink -b $B -t out --state st --transactional-id t"
	[ "$status" -eq 0 ]
	[[ "$output" == *"checkpoint 3 is committed in st but not in Kafka: sending its messages again"* ]]
	weir-source --gen clicks --count 6000 --seed 5 | weir-map 'id=.ts' |
	    weir-sink -f ndjson | sort > want
	committed out | sort > got
	cmp want got
	# checkpoint 3 is in the log twice (the broker does not hide the
	# first attempt), under two attempts of which one is committed
	[ "$(kcatc -t out -e -q -f '%h\n' | sort -u | grep -c '/3$')" -eq 2 ]
}

@test "eos: stateless topic to topic (filter, map): exactly once under SIGKILLs" {
	broker_start --topic in:4 --topic out:4
	produce 30000 6
	cd "$T"
	limit $KILL --rounds 20 --seed 43 --min 200 --max 1500 chain \
	    "weir-source -b $B -t in -e --rate 10000 --checkpoint 100ms --state st" \
	    "weir-filter '.amount > 20' --state st" \
	    "weir-map 'cents=.amount*100' --state st" \
	    "weir-sink -b $B -t out --state st --transactional-id flt" > kills.log 2>&1 ||
	    { cat kills.log; false; }
	tail -1 kills.log | sed 's/^/# /' >&3
	weir-source -b "$B" -t in -e | weir-filter '.amount > 20' |
	    weir-map 'cents=.amount*100' | weir-sink -f ndjson | sort > want
	committed out | sort > got
	echo "# out: $(kcatc -t out -e -q -f '%o\n' | wc -l) messages in the log, $(wc -l < got) committed, $(wc -l < want) expected" >&3
	cmp want got
}

# A stateless transactional pipeline from in to out: the source in assign
# mode with a group for its offsets (no rebalance to wait for on restart).
P_PLAIN() {
	echo "weir-source -b $B -t in -e -X group.id=g --checkpoint 100ms --state st --rate 8000 |
	    weir-filter true --state st |
	    weir-sink -b $B -t out --state st --transactional-id t"
}

# same_as_in: the committed messages of out are those of in, each once
same_as_in() {
	kcatc -t in -e -q -f '%s\n' | sort > want
	committed out | sort > got
	cmp want got
}

@test "eos: coordinator errors at AddPartitionsToTxn, TxnOffsetCommit and EndTxn: retriable ones retried, fenced ones exit 3, a restart loses nothing" {
	broker_start --topic in:1 --topic out:1 --control "$T/ctl" \
	    --fail-request AddPartitionsToTxn:COORDINATOR_LOAD_IN_PROGRESS:3 \
	    --fail-request TxnOffsetCommit:COORDINATOR_NOT_AVAILABLE:3 \
	    --fail-request EndTxn:CONCURRENT_TRANSACTIONS:3 \
	    --fail-request EndTxn:NOT_COORDINATOR:2
	produce 4000 1
	cd "$T"
	run limit bash -o pipefail -c "$(P_PLAIN)"
	echo "$output"
	[ "$status" -eq 0 ]
	same_as_in
	n=1
	for f in EndTxn:PRODUCER_FENCED TxnOffsetCommit:INVALID_PRODUCER_EPOCH \
	    AddPartitionsToTxn:INVALID_PRODUCER_EPOCH; do
		n=$((n + 1))
		produce 4000 $n
		# mid-stream: the fault comes while the pipeline runs
		(sleep 0.5; echo "fail ${f//:/ }" > ctl) & bg=$!
		run limit bash -o pipefail -c "$(P_PLAIN)"
		wait $bg
		echo "$f: $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"transactional id t: "*"fatal"*"fenced"* ]]
		run limit bash -o pipefail -c "$(P_PLAIN)"
		echo "$output"
		[ "$status" -eq 0 ]
		same_as_in
	done
}

@test "eos: the broker down for 30 s mid-stream: the pipeline stalls, then finishes with the same output" {
	broker_start --topic in:1 --topic out:1 --control "$T/ctl"
	produce 16000 9
	cd "$T"
	limit bash -o pipefail -c "$(P_PLAIN)" > log 2>&1 & pid=$!
	# mid-stream: once the first checkpoint is committed
	for i in $(seq 200); do [ -e st/COMMITTED ] && break; sleep 0.05; done
	[ -e st/COMMITTED ]
	echo "down all" > ctl
	t0=$(date +%s)
	sleep "${WEIR_EOS_DOWN:-30}"
	# it stalled: still running, and nothing more committed meanwhile
	kill -0 $pid
	c1=$(python3 "$BATS_TEST_DIRNAME/snapfile.py" check st/COMMITTED)
	sleep 1
	[ "$(python3 "$BATS_TEST_DIRNAME/snapfile.py" check st/COMMITTED)" = "$c1" ]
	echo "up all" > ctl
	status=0
	wait $pid || status=$?
	cat log
	[ "$status" -eq 0 ]
	echo "# stalled $(( $(date +%s) - t0 )) s, then finished" >&3
	same_as_in
}

@test "eos: usage: --transactional-id needs -b and --state; --committed-only goes with -t alone" {
	run weir-sink -b 127.0.0.1:1 -t out --transactional-id t < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--transactional-id goes with -b and --state"* ]]
	run weir-sink -o "$T/x" --state "$T/st" --transactional-id t < /dev/null
	[ "$status" -eq 2 ]
	run weir-source -b 127.0.0.1:1 -G g --committed-only in
	[ "$status" -eq 2 ]
	[[ "$output" == *"--committed-only goes with -b and -t"* ]]
	run weir-source -b 127.0.0.1:1 -t in --committed-only --checkpoint 1s --state "$T/st"
	[ "$status" -eq 2 ]
	run weir-source --gen clicks --committed-only
	[ "$status" -eq 2 ]
}
