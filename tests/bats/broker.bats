#!/usr/bin/env bats
# weir-broker: a fixed port, a ready file, fault injection from the command
# line and from a control FIFO while it runs; -b "" and argv in ps.
load helpers
load kafka_helpers

# free_port: a loopback port nobody listens on right now (perl-base is on
# every Debian machine and starts faster than python3)
free_port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(LocalAddr =>
	    "127.0.0.1", LocalPort => 0, Listen => 1)->sockport, "\n"'
}

# until_true CMD...: retry CMD every 0.1 s for up to ${WAIT:-10} seconds
# (run.bats and run-pipelines.bats each have a wait_for of their own)
until_true() {
	local end=$((SECONDS + ${WAIT:-10}))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# records_are N FILE: FILE (frames, maybe unfinished) holds N records
records_are() {
	[ "$(weir-sink -f lines < "$2" 2> /dev/null | wc -l)" -eq "$1" ]
}

@test "-t NAME:PARTS: ps shows the arguments as given" {
	broker_start -t clicks:4 -n 1
	[ "$(ps -o args= -p "$BROKER_PID")" = "weir-broker -t clicks:4 -n 1" ]
	limit kcat -b "$B" -L | grep -q 'topic "clicks" with 4 partitions'
	weir-source -b "$B" -t clicks -X client.id=a=b -o beginning \
	    > /dev/null 2>&1 &
	sp=$!
	KILL_PIDS=$sp
	sleep 0.5
	[ "$(ps -o args= -p "$sp")" = \
	    "weir-source -b $B -t clicks -X client.id=a=b -o beginning" ]
}

@test "-b '': a usage error (exit 2) in weir-source and weir-sink" {
	run limit weir-source -b "" -t t -e
	[ "$status" -eq 2 ]
	[[ "$output" == *"-b"* ]]
	run limit weir-source -b "" -L
	[ "$status" -eq 2 ]
	run bash -o pipefail -c 'echo 1 | weir-sink -b "" -t t'
	[ "$status" -eq 2 ]
	[[ "$output" == *"-b"* ]]
	run bash -o pipefail -c 'echo 1 | weir-sink -b " , " -t t'
	[ "$status" -eq 2 ]
}

@test "--port: kcat and weir talk to 127.0.0.1:PORT" {
	port=$(free_port)
	broker_start --port "$port" -t t:2
	[ "$B" = "127.0.0.1:$port" ]
	limit kcat -b "127.0.0.1:$port" -L | grep -q 'topic "t" with 2 partitions'
	seq 100 | limit weir-sink -b "127.0.0.1:$port" -t t
	[ "$(kcatc -t t -e -q | sort -n | tr '\n' ' ')" = "$(seq 100 | tr '\n' ' ')" ]
	limit weir-source -b "localhost:$port" -t t -e | weir-sink -f lines |
	    sort -n | cmp - <(seq 100)
}

@test "--port: two brokers, one down, the port still serves" {
	port=$(free_port)
	broker_start --port "$port" -n 2 -t t:2 --control "$T/ctl"
	echo "down 1" > "$T/ctl"
	until_true grep -q "broker 1 is down" "$T/broker.err"
	limit kcat -b "127.0.0.1:$port" -L | grep -q "broker 2 at"
	echo "down all" > "$T/ctl"
	until_true grep -q "all brokers are down" "$T/broker.err"
	run limit kcat -b "127.0.0.1:$port" -L -m 2
	[ "$status" -ne 0 ]
}

@test "--port in use: exit 3 with a message" {
	port=$(free_port)
	broker_start --port "$port"
	run limit weir-broker --port "$port"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$port"* ]]
	run weir-broker --port 70000
	[ "$status" -eq 2 ]
}

@test "--ready-file: written whole once the broker serves, removed at exit" {
	weir-broker -t t:1 --ready-file "$T/ready" > "$T/out" 2> "$T/err" &
	BROKER_PID=$!
	until_true test -e "$T/ready"
	B=$(cat "$T/ready")
	[ "$B" = "$(head -1 "$T/out")" ]
	[ "$(wc -l < "$T/ready")" -eq 1 ]
	limit kcat -b "$B" -L -m 2 | grep -q 'topic "t" with 1 partitions'
	[ ! -e "$T/ready.tmp" ]
	kill "$BROKER_PID"
	wait "$BROKER_PID"
	[ ! -e "$T/ready" ]
}

@test "--ready-file with --port holds the fixed address" {
	port=$(free_port)
	weir-broker --port "$port" --ready-file "$T/ready" > /dev/null &
	BROKER_PID=$!
	until_true test -e "$T/ready"
	[ "$(cat "$T/ready")" = "127.0.0.1:$port" ]
	limit kcat -b "127.0.0.1:$port" -L -m 2 > /dev/null
}

@test "--ready-file in a missing directory: exit 3" {
	run limit weir-broker --ready-file "$T/no/such/ready"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$T/no/such/ready"* ]]
}

@test "--fail-request Produce:...:3, a fatal error: the sink exits 3 as with --fail-produce" {
	broker_start -t t:1 --fail-request Produce:TOPIC_AUTHORIZATION_FAILED:3
	run bash -o pipefail -c "seq 3 | weir-sink -b '$B' -t t"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not delivered"* ]]
	# by number: Produce is API 0, TOPIC_AUTHORIZATION_FAILED error 29
	teardown
	setup
	broker_start -t t:1 --fail-request 0:29:3
	run bash -o pipefail -c "seq 3 | weir-sink -b '$B' -t t"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not delivered"* ]]
}

@test "--fail-request Produce:NOT_LEADER_FOR_PARTITION:3: retried, delivered once" {
	broker_start -t t:1 --fail-request Produce:not_leader_or_follower:3
	seq 3 | limit weir-sink -b "$B" -t t -X retry.backoff.ms=10 \
	    -X debug=protocol 2> "$T/err"
	# one request and three retries
	[ "$(grep -c "Sent ProduceRequest" "$T/err")" -eq 4 ]
	[ "$(kcatc -t t -e -q | tr '\n' ' ')" = "1 2 3 " ]
}

@test "--fail-request: several, in order, and --fail-produce beside them" {
	broker_start -t t:1 --fail-request Produce:NOT_LEADER_FOR_PARTITION:1 \
	    --fail-produce 1
	run bash -o pipefail -c "seq 3 | weir-sink -b '$B' -t t -X retry.backoff.ms=10"
	[ "$status" -eq 3 ]
	[[ "$output" == *"not delivered"* ]]
	[[ "$output" == *"uthoriz"* ]]
}

@test "--fail-request: unknown API or ERROR, bad COUNT: usage errors (exit 2)" {
	for spec in Bogus:NOT_COORDINATOR:1 Produce:BOGUS:1 Produce:NOT_COORDINATOR:0 \
	    Produce:NOT_COORDINATOR:x 99:1:1 Produce:0:1 Produce: :NOT_COORDINATOR:1 \
	    CreateTopics:NOT_COORDINATOR:1 Produce:_TRANSPORT:1; do
		run limit weir-broker --fail-request "$spec"
		echo "$spec: $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"--fail-request"* ]]
	done
	run limit weir-broker --fail-produce -1
	[ "$status" -eq 2 ]
}

@test "--fail-request names: Kafka's and librdkafka's spellings, COUNT 1 by default" {
	broker_start --fail-request EndTxn:NOT_COORDINATOR:2 \
	    --fail-request AddPartitionsToTxn:COORDINATOR_LOAD_IN_PROGRESS \
	    --fail-request TxnOffsetCommit:PRODUCER_FENCED:1 \
	    --fail-request offsetcommit:INVALID_PRODUCER_EPOCH:1 \
	    --fail-request FindCoordinator:15:1 \
	    --fail-request Metadata:UNKNOWN_TOPIC_OR_PARTITION:1
	kill "$BROKER_PID"
	wait "$BROKER_PID"
	[ ! -s "$T/broker.err" ]
}

@test "control FIFO: fail, then a broker down stalls a consumer, up resumes it" {
	broker_start -t t:1 --control "$T/ctl"
	[ -p "$T/ctl" ]
	echo "fail Produce TOPIC_AUTHORIZATION_FAILED 3" > "$T/ctl"
	until_true grep -q "next 3 Produce requests fail" "$T/broker.err"
	run bash -o pipefail -c "seq 3 | weir-sink -b '$B' -t t"
	[ "$status" -eq 3 ]
	# one request took one fault: the other two are dropped
	echo "clear Produce" > "$T/ctl"
	until_true grep -q "no more faults for Produce" "$T/broker.err"
	seq 1 5 | limit weir-sink -b "$B" -t t
	# a consumer running when the broker goes down ...
	weir-source -b "$B" -t t -X reconnect.backoff.max.ms=200 \
	    -X fetch.wait.max.ms=10 > "$T/got.wf" 2> "$T/src.err" &
	KILL_PIDS=$!
	until_true records_are 5 "$T/got.wf"
	echo "down 1" > "$T/ctl"
	until_true grep -q "broker 1 is down" "$T/broker.err"
	until_true grep -q "brokers are down" "$T/src.err"
	# ... and one started while it is down: stalled, not failed
	limit weir-source -b "$B" -t t -e -m 30 \
	    -X reconnect.backoff.max.ms=200 > "$T/late.wf" 2> /dev/null &
	late=$!
	KILL_PIDS="$KILL_PIDS $late"
	sleep 2
	kill -0 "$late"
	# nothing but the stream header (written when the output opens)
	[ "$(weir-sink -f lines < "$T/late.wf" 2> /dev/null | wc -l)" -eq 0 ]
	records_are 5 "$T/got.wf"
	echo "up 1" > "$T/ctl"
	until_true grep -q "broker 1 is up" "$T/broker.err"
	wait "$late"
	weir-sink -f lines < "$T/late.wf" | cmp - <(seq 5)
	seq 6 10 | limit weir-sink -b "$B" -t t
	until_true records_are 10 "$T/got.wf"
	# the reader still runs: its output has no END yet (exit 3)
	{ weir-sink -f lines < "$T/got.wf" 2> /dev/null || [ $? -eq 3 ]; } |
	    cmp - <(seq 10)
}

@test "control FIFO: a bad line is logged, the broker goes on" {
	broker_start -t t:1 --control "$T/ctl"
	printf 'bogus 1\ndown 7\nfail Produce BOGUS 1\nup\n\n# a comment\ndown all\nup all\n' > "$T/ctl"
	until_true grep -q "all brokers are up" "$T/broker.err"
	grep -q "bogus 1: unknown command" "$T/broker.err"
	grep -q "down 7: no broker 7" "$T/broker.err"
	grep -q "BOGUS" "$T/broker.err"
	grep -q "all brokers are down" "$T/broker.err"
	kill -0 "$BROKER_PID"
	limit kcat -b "$B" -L -m 5 > /dev/null
}

@test "--control: an existing FIFO is used and kept, a regular file refused" {
	mkfifo "$T/ctl"
	broker_start --control "$T/ctl"
	echo "down 1" > "$T/ctl"
	until_true grep -q "broker 1 is down" "$T/broker.err"
	kill "$BROKER_PID"
	wait "$BROKER_PID"
	[ -p "$T/ctl" ]
	: > "$T/file"
	run limit weir-broker --control "$T/file"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a FIFO"* ]]
}

@test "--control: a FIFO it made is removed at exit" {
	broker_start --control "$T/ctl"
	[ -p "$T/ctl" ]
	kill "$BROKER_PID"
	wait "$BROKER_PID"
	[ ! -e "$T/ctl" ]
}

# weir-broker(1) EXAMPLES after the first (kafka_examples.bats runs that
# one); localhost:9092 in the page is a free port here.
@test "weir-broker(1) EXAMPLES: the usual address and a ready file" {
	cd "$T"
	port=$(free_port)
	weir-broker --port "$port" --ready-file broker.ready --topic clicks:4 \
	    > /dev/null &
	BROKER_PID=$!
	until_true test -e broker.ready
	weir-source --gen clicks --count 1000 |
	    limit weir-sink -b "localhost:$port" -t clicks
	[ "$(limit kcat -b "localhost:$port" -C -t clicks -e -q | wc -l)" -eq 1000 ]
}

@test "weir-broker(1) EXAMPLES: a retriable fault on the command line" {
	cd "$T"
	weir-broker --topic t:1 \
	    --fail-request Produce:NOT_LEADER_OR_FOLLOWER:3 > broker.addr &
	BROKER_PID=$!
	until_true test -s broker.addr
	seq 3 | limit weir-sink -b "$(head -1 broker.addr)" -t t
	B=$(head -1 broker.addr)
	[ "$(kcatc -t t -e -q | tr '\n' ' ')" = "1 2 3 " ]
}

@test "weir-broker(1) EXAMPLES: faults while a test runs" {
	cd "$T"
	weir-broker --topic t:1 --control broker.ctl > broker.addr 2> broker.err &
	BROKER_PID=$!
	until_true test -s broker.addr
	B=$(head -1 broker.addr)
	weir-source -b "$B" -t t -X reconnect.backoff.max.ms=200 > got.wf &
	KILL_PIDS=$!
	echo 'down 1' > broker.ctl
	echo 'up 1' > broker.ctl
	echo 'fail EndTxn NOT_COORDINATOR 2' > broker.ctl
	until_true grep -q "next 2 EndTxn requests fail with NOT_COORDINATOR" broker.err
	grep -q "down 1: broker 1 is down" broker.err
	grep -q "up 1: broker 1 is up" broker.err
	seq 3 | limit weir-sink -b "$B" -t t
	until_true records_are 3 got.wf
}
