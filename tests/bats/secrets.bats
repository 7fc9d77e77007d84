#!/usr/bin/env bats
# Secrets off the command line: -X PROP=env:VAR, the example SASL files,
# and no secret in any message, log line, /status or /metrics.
load helpers
load run_helpers
load kafka_helpers	# its teardown: KILL_PIDS, then the broker

SECRET='wEiR-s3cret-9f4e7a1c'
EX="$BATS_TEST_DIRNAME/../../examples/kafka"

# nosecret FILE...: none of the files holds the secret (in any form)
nosecret() {
	! grep -a -F -e "$SECRET" -e "${SECRET#wEiR-}" "$@"
}

@test "env: secrets never show in errors or librdkafka's debug logs" {
	broker_start --topic t:1
	export KAFKA_PASSWORD="$SECRET"
	# SASL over TLS to a plaintext broker: the connection fails
	run limit weir-source -b "$B" -t t -e -m 2 -X @"$EX/sasl-scram.properties" \
	    -X debug=all
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o1"
	[ "$(wc -l < "$T/o1")" -gt 10 ]		# the debug log was on
	# SASL without TLS: the broker does not speak SASL either
	run limit weir-sink -b "$B" -t t -m 2 -X security.protocol=SASL_PLAINTEXT \
	    -X sasl.mechanisms=PLAIN -X sasl.username=u \
	    -X sasl.password=env:KAFKA_PASSWORD -X debug=all < /dev/null
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o2"
	nosecret "$T/o1" "$T/o2"
	# the secret was given, and read: without it the same is a usage error
	unset KAFKA_PASSWORD
	run weir-source -b "$B" -t t -e -m 2 -X @"$EX/sasl-scram.properties"
	[ "$status" -eq 2 ]
	[[ "$output" == *"sasl-scram.properties:8: -X sasl.password: environment variable KAFKA_PASSWORD is not set"* ]]
}

@test "a secret in a -X @file stays out of messages too; a bad env: value is not quoted" {
	broker_start --topic t:1
	printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=SCRAM-SHA-256\nsasl.username=u\nsasl.password=%s\n' \
	    "$SECRET" > "$T/props"
	run limit weir-source -b "$B" -t t -e -m 2 -X @"$T/props" -X debug=all
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o1"
	nosecret "$T/o1"
	# librdkafka would quote an invalid value; weir names the variable
	export WEIR_T_PROTO="$SECRET"
	run weir-source -b "$B" -t t -e -X security.protocol=env:WEIR_T_PROTO
	[ "$status" -eq 2 ]
	[[ "$output" == *"security.protocol: the value of environment variable WEIR_T_PROTO is not valid"* ]]
	printf '%s\n' "$output" > "$T/o2"
	nosecret "$T/o2"
	# a literal env: value is a literal, not a variable
	run weir-sink -b "$B" -t t -X 'security.protocol=\env:x' < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *'"env:x"'* ]]
}

@test "weir-run: no secret in its log, /status or /metrics" {
	broker_start --topic t:1
	export KAFKA_PASSWORD="$SECRET"
	cat > "$T/p.yaml" <<-Y
	name: sec
	restart: {backoff: [100ms, 1s], max: 3, period: 1m}
	stages:
	  - {name: src, run: [weir-source, -b, "$B", -t, t, -m, "1", -X, "@$EX/sasl-scram.properties"]}
	  - {name: out, run: [weir-sink, -a, -o, $T/out]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	KILL_PIDS="$RUN_PID $GUARD_PID"
	wait_for metrics_port
	# the source fails to connect and is restarted
	failed() { grep -q "cannot reach Kafka\|SSL\|ssl" "$T/err"; }
	LIMIT=20 wait_for failed || sleep 3
	curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/m"
	curl -sf "http://127.0.0.1:$PORT/status" > "$T/s" || true
	weir-run --status "127.0.0.1:$PORT" > "$T/s2" 2>&1 || true
	[ -s "$T/m" ]
	{ kill -9 "$RUN_PID" && wait "$RUN_PID"; } 2> /dev/null || true
	cat "$T/err" >&2
	grep -q "src" "$T/err"
	nosecret "$T/err" "$T/m" "$T/s" "$T/s2"
}
