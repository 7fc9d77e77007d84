# Kafka tests: every test starts its own weir-broker on an ephemeral
# loopback port (killed in teardown); kcat is the independent client.
# Load after helpers.

# Consumer groups on the mock cluster rebalance after session.timeout.ms
# minus a second: keep it short so group tests stay fast.
GROUPX="-X session.timeout.ms=4500 -X heartbeat.interval.ms=1000"

# broker_start [weir-broker options]: sets $B to the bootstrap servers.
broker_start() {
	weir-broker "$@" > "$T/broker.out" 2> "$T/broker.err" &
	BROKER_PID=$!
	local i
	for i in $(seq 100); do
		[ -s "$T/broker.out" ] && break
		sleep 0.05
	done
	B=$(head -1 "$T/broker.out")
	[ -n "$B" ]
}

# broker_stop: the broker goes away (killed, waited for)
broker_stop() {
	kill "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
}

teardown() {
	local p
	for p in ${KILL_PIDS:-}; do
		kill "$p" 2>/dev/null || true
		kill -CONT "$p" 2>/dev/null || true	# a test stopped it
	done
	if [ -n "${BROKER_PID:-}" ]; then
		kill "$BROKER_PID" 2>/dev/null || true
		wait "$BROKER_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}

# group_broker_gone [OPTIONS]: a source in group g reading topic t
# (first, second, lastone) into $T/out, stderr in $T/err, its PID in $p;
# once it has read all three the broker is stopped, so its last commit
# has no coordinator to go to.
group_broker_gone() {
	local i
	broker_start --topic t:1
	printf 'first\nsecond\nlastone\n' | kcat -b "$B" -P -t t
	# the default session timeout: the member stays in the group
	weir-source "$@" -b "$B" -G g t > "$T/out" 2> "$T/err" &
	p=$!
	KILL_PIDS=$p
	for i in $(seq 150); do
		grep -q lastone "$T/out" && break
		sleep 0.1
	done
	grep -q lastone "$T/out"
	broker_stop
	sleep 1
}

# kcatc ARGS: kcat consuming to the end; a short fetch wait keeps it fast
kcatc() {
	limit kcat -X fetch.wait.max.ms=10 -b "$B" -C "$@"
}

# kcat_dump TOPIC: every message as kcat sees it, byte-exact, one per line:
# partition, offset, key length, value length (-1 null), headers, value.
kcat_dump() {
	kcatc -t "$1" -e -q -f '%p %o %K %S [%h] %s\n'
}

# wait_gone PID SECS: PID has exited within SECS seconds (else it is
# killed, and false)
wait_gone() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null || true
	echo "still running $2 s after SIGTERM"
	return 1
}
