#!/usr/bin/env bats
# SASL/OAUTHBEARER with OIDC client credentials (weir-source(1) -X): the
# librdkafka here (Debian 12's 2.0.2) has no OIDC of its own, so weir
# fetches the token from the token endpoint and hands it to librdkafka.
# token_stub.py is the endpoint; weir-broker speaks no SASL, so every
# program here still fails to connect (exit 3) after the token was set:
# what is tested is the token's way in, never a broker accepting it.
load helpers
load run_helpers
load kafka_helpers	# its teardown: KILL_PIDS, then the broker

SECRET='wEiR-oidc-s3cret-5b2d'
EX="$BATS_TEST_DIRNAME/../../examples/kafka/oauthbearer.properties"
STUB="$BATS_TEST_DIRNAME/token_stub.py"

# token_start [token_stub.py options]: the endpoint on a loopback port,
# its URL in $URL; requests logged to $T/tok.log, tokens to $T/tokens.
token_start() {
	export KAFKA_CLIENT_SECRET="$SECRET"
	/usr/bin/python3 "$STUB" --log "$T/tok.log" --tokens "$T/tokens" \
	    --timeout 60 "$@" > "$T/tok.port" 2> "$T/tok.err" &
	KILL_PIDS="${KILL_PIDS:-} $!"
	local i
	for i in $(seq 200); do
		[ -s "$T/tok.port" ] && break
		sleep 0.05
	done
	URL="http://127.0.0.1:$(head -1 "$T/tok.port")/token"
	[ "$URL" != "http://127.0.0.1:/token" ]
}

# nosecret FILE...: neither the client secret nor any token issued (nor
# its signature) is in the files
nosecret() {
	local t
	! grep -a -F -e "$SECRET" "$@" || return 1
	[ -e "$T/tokens" ] || return 0
	while read -r t; do
		! grep -a -F -e "$t" -e "${t##*.}" "$@" || return 1
	done < "$T/tokens"
}

@test "OIDC: the example file as written; weir fetches the token with client credentials and sets it" {
	broker_start --topic t:1
	token_start
	# the example's endpoint is https://idp.example.com: a later -X
	# points it at the stub, all else is the file as written
	run limit weir-source -b "$B" -t t -e -m 3 -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url="$URL" -X debug=all
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o"
	# the request: Basic auth with the client id and secret, the grant,
	# the scope, a form, JSON wanted
	head -1 "$T/tok.log" | grep -q " POST /token client=weir-pipeline secret=ok grant_type=client_credentials scope=kafka content-type=application/x-www-form-urlencoded accept=application/json$"
	# weir set the token, with the principal of its sub claim ...
	grep -q "kafka: OAUTHBEARER: weir set a token from $URL for principal weir-pipeline, valid for [0-9]* ms" "$T/o"
	# ... and librdkafka took it
	grep -q "Waking up waiting broker threads after setting OAUTHBEARER token" "$T/o"
	[ "$(wc -l < "$T/o")" -gt 20 ]		# the debug log was on
	[ -s "$T/tokens" ]
	nosecret "$T/o"
}

@test "OIDC: the token is fetched again before it expires (expires_in 6 s), and weir-sink does it too" {
	broker_start --topic t:1
	token_start --expires-in 6
	# with SASL extensions too, which librdkafka checks when the
	# token is set
	run limit weir-sink -b "$B" -t t -m 8 -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url="$URL" \
	    -X sasl.oauthbearer.extensions=traceId=t1,logicalCluster=lkc-1 \
	    -X debug=security < /dev/null
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o"
	cat "$T/tok.log" >&2
	# 8 s with 6 s tokens: librdkafka asks again 80% through each
	# lifetime (on its timer's next 1 s tick)
	[ "$(grep -c ' POST /token client=weir-pipeline secret=ok ' "$T/tok.log")" -ge 2 ]
	[ "$(grep -c 'weir set a token .* valid for [0-9]* ms' "$T/o")" -ge 2 ]
	# each lifetime is at most the 6 s of expires_in
	grep -o 'valid for [0-9]* ms' "$T/o" | awk '$3 > 6000 || $3 <= 0 { bad = 1 } END { exit bad }'
	# every request came before the token of the one before expired
	awk 'NR > 1 && $1 - t >= 6 { bad = 1 } { t = $1 } END { exit bad }' "$T/tok.log"
	# a new token each time, none of them shown
	[ "$(sort -u "$T/tokens" | wc -l)" -ge 2 ]
	nosecret "$T/o"
}

@test "OIDC: a refresh that fails keeps the current token while it is valid, and asks again" {
	broker_start --topic t:1
	# 12 s tokens; the second request (the first refresh, after 9.6 s
	# and librdkafka's next 1 s tick) gets 503
	token_start --expires-in 12 --fail-at 2
	run limit weir-source -b "$B" -t t -e -m 13 -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url="$URL"
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o"
	cat "$T/tok.log" >&2
	grep -q "OAUTHBEARER refresh failed: token endpoint $URL: HTTP 503: temporarily_unavailable; the current token is valid for [0-9]* ms more: asking again in [0-9]* ms" "$T/o"
	# not an authentication failure: the program went on and the next
	# request got a token before the first one expired
	! grep -q "Failed to acquire" "$T/o" || false
	[ "$(grep -c ' POST /token client=weir-pipeline secret=ok ' "$T/tok.log")" -ge 3 ]
	[ "$(wc -l < "$T/tokens")" -ge 2 ]
	awk 'NR == 1 { t = $1 } NR == 3 && $1 - t >= 12 { bad = 1 } END { exit bad }' "$T/tok.log"
	nosecret "$T/o"
}

@test "OIDC: an https:// endpoint, verified with https.ca.location" {
	broker_start --topic t:1
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
	    -out "$T/ca.pem" 2> /dev/null
	token_start --tls "$T/ca.pem" "$T/key.pem"
	URL="https://${URL#http://}"
	run limit weir-source -b "$B" -t t -e -m 2 -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url="$URL" \
	    -X https.ca.location="$T/ca.pem" -X debug=security
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$T/o1"
	grep -q "weir set a token from $URL for principal weir-pipeline" "$T/o1"
	# without the CA the endpoint is not trusted
	refused 2 "$URL" weir-source
	grep -q "Failed to acquire SASL OAUTHBEARER token: token endpoint $URL: SSL peer certificate or SSH remote key was not OK" "$T/o2"
	[ "$(grep -c ' secret=ok ' "$T/tok.log")" -eq 1 ]
	nosecret "$T/o1" "$T/o2"
}

# refused N URL PROGRAM: PROGRAM (weir-source or weir-sink) with the
# example file and the endpoint URL fails (exit 3); its output in $T/oN
refused() {
	local f="$T/o$1" url="$2" prog="$3"
	run limit "$prog" -b "$B" -t t -m 2 -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url="$url" < /dev/null
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" > "$f"
}

@test "OIDC: an endpoint that refuses fails clearly with exit 3, without the secret" {
	broker_start --topic t:1
	token_start --fail
	refused 1 "$URL" weir-source
	grep -q "Failed to acquire SASL OAUTHBEARER token: token endpoint $URL: HTTP 401: invalid_client: client authentication failed" "$T/o1"
	grep -q ' secret=ok ' "$T/tok.log"
	# a wrong secret: the stub refuses it as well
	export KAFKA_CLIENT_SECRET=wrong-one
	refused 2 "$URL" weir-sink
	grep -q "token endpoint $URL: HTTP 401" "$T/o2"
	grep -q ' secret=bad ' "$T/tok.log"
	# an endpoint that quotes the secret back: weir masks it
	kill "${KILL_PIDS##* }"
	token_start --echo
	refused 3 "$URL" weir-source
	grep -q -F "token endpoint $URL: HTTP 401: invalid_client: client weir-pipeline with secret *** refused" "$T/o3"
	# nothing listens: the same, with curl's reason
	refused 4 http://127.0.0.1:1/token weir-source
	grep -q "Failed to acquire SASL OAUTHBEARER token: token endpoint http://127.0.0.1:1/token: Couldn't connect to server" "$T/o4"
	nosecret "$T/o1" "$T/o2" "$T/o3" "$T/o4"
}

@test "OIDC: an incomplete configuration is a usage error that names no value" {
	broker_start --topic t:1
	export KAFKA_CLIENT_SECRET="$SECRET"
	# (sasl.mechanism is librdkafka's alias of sasl.mechanisms)
	run weir-source -b "$B" -t t -e -X sasl.mechanism=OAUTHBEARER \
	    -X sasl.oauthbearer.method=oidc -X sasl.oauthbearer.client.id=c \
	    -X sasl.oauthbearer.token.endpoint.url=http://127.0.0.1:1/token
	[ "$status" -eq 2 ]
	[[ "$output" == *"sasl.oauthbearer.method=oidc needs -X sasl.oauthbearer.client.secret"* ]]
	run weir-source -b "$B" -t t -e -X @"$EX" -X sasl.mechanisms=PLAIN
	[ "$status" -eq 2 ]
	[[ "$output" == *"sasl.oauthbearer.method=oidc needs -X sasl.mechanisms=OAUTHBEARER"* ]]
	run weir-sink -b "$B" -t t -X @"$EX" \
	    -X sasl.oauthbearer.token.endpoint.url=ftp://x/token < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"token.endpoint.url: not an http:// or https:// URL"* ]]
	run weir-source -b "$B" -t t -e -X @"$EX" \
	    -X sasl.oauthbearer.extensions=traceId=1,bad
	[ "$status" -eq 2 ]
	[[ "$output" == *"-X sasl.oauthbearer.extensions: expected key=value,..."* ]]
	run weir-source -b "$B" -t t -e -X @"$EX" \
	    -X sasl.oauthbearer.grant.type=urn:ietf:params:oauth:grant-type:jwt-bearer
	[ "$status" -eq 2 ]
	[[ "$output" == *"-X sasl.oauthbearer.grant.type: weir fetches tokens with client_credentials only"* ]]
	run weir-source -b "$B" -t t -e -X @"$EX" -X sasl.oauthbearer.method=x
	[ "$status" -eq 2 ]
	[[ "$output" == *'-X sasl.oauthbearer.method: default or oidc, not "x"'* ]]
	run weir-source -b "$B" -t t -e -X @"$EX" \
	    -X sasl.oauthbearer.config=principal=x
	[ "$status" -eq 2 ]
	[[ "$output" == *"-X sasl.oauthbearer.config: cannot be combined with sasl.oauthbearer.method=oidc"* ]]
	printf '%s\n' "$output" > "$T/o1"
	# the secret comes from the environment, as the file says
	unset KAFKA_CLIENT_SECRET
	run weir-source -b "$B" -t t -e -X @"$EX"
	[ "$status" -eq 2 ]
	[[ "$output" == *"oauthbearer.properties:"*": -X sasl.oauthbearer.client.secret: environment variable KAFKA_CLIENT_SECRET is not set"* ]]
	nosecret "$T/o1"
}

@test "OIDC under weir-run: no secret or token in its log, /status or /metrics" {
	broker_start --topic t:1
	token_start --expires-in 3
	cat > "$T/p.yaml" <<-Y
	name: oidc
	restart: {backoff: [100ms, 1s], max: 3, period: 1m}
	stages:
	  - {name: src, run: [weir-source, -b, "$B", -t, t, -m, "2", -X, "@$EX", -X, "sasl.oauthbearer.token.endpoint.url=$URL", -X, debug=security]}
	  - {name: out, run: [weir-sink, -a, -o, $T/out]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	KILL_PIDS="$KILL_PIDS $RUN_PID $GUARD_PID"
	wait_for metrics_port
	set_one() { grep -q "weir set a token" "$T/err"; }
	LIMIT=20 wait_for set_one
	failed() { grep -q "cannot reach Kafka" "$T/err"; }
	wait_for failed || true
	curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/m"
	curl -sf "http://127.0.0.1:$PORT/status" > "$T/s" || true
	weir-run --status "127.0.0.1:$PORT" > "$T/s2" 2>&1 || true
	[ -s "$T/m" ]
	{ kill -9 "$RUN_PID" && wait "$RUN_PID"; } 2> /dev/null || true
	[ -s "$T/tokens" ]
	nosecret "$T/err" "$T/m" "$T/s" "$T/s2"
}
