#!/usr/bin/env bats
# The weir front command and the conventions every program shares.

load helpers

@test "weir VERB runs weir-VERB" {
	run bash -o pipefail -c "weir source --gen clicks -c 2 | weir sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "weir help lists the programs; weir help VERB shows its help" {
	run weir help
	[ "$status" -eq 0 ]
	[[ "$output" == *"source"*"window"*"agg"*"join"*"filter"*"sink"*"run"* ]]
	run weir help sink
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: weir-sink"* ]]
}

@test "weir --version lists the build's libraries" {
	run weir --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"weir "*"librdkafka: "*"jansson: "*"libyaml: "* ]]
}

@test "an unknown verb is a usage error" {
	run weir frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"'frobnicate' is not a weir verb"* ]]
	run weir
	[ "$status" -eq 2 ]
}

@test "every program: -h/--help, --version, unknown option exits 2" {
	for p in "$WEIR_BIN"/weir-*; do
		n=$(basename "$p")
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$n --help: $status" >&3; false; }
		[[ "$output" == *"usage: $n"* ]] || { echo "$n --help: $output" >&3; false; }
		run "$p" -h
		[ "$status" -eq 0 ]
		run "$p" --version
		[ "$status" -eq 0 ]
		[[ "$output" == "$n (weir) "* ]]
		run "$p" --no-such-option
		[ "$status" -eq 2 ] || { echo "$n bad option: $status" >&3; false; }
	done
}

@test "no program loads libcurl or libmicrohttpd at start: the Schema Registry, OAUTHBEARER, metrics and the dashboard load them when used" {
	command -v ldd > /dev/null || skip "no ldd"
	for p in "$WEIR_BIN"/weir "$WEIR_BIN"/weir-*; do
		if ldd "$p" | grep -E -q "libcurl|libmicrohttpd"; then
			echo "$(basename "$p") links libcurl or libmicrohttpd" >&3
			false
		fi
	done
}

@test "no program loads librdkafka or libavro at start (nor OpenSSL or SASL through them): Kafka, weir-broker and Avro schemas load them when used" {
	command -v ldd > /dev/null || skip "no ldd"
	command -v readelf > /dev/null || skip "no readelf"
	for p in "$WEIR_BIN"/weir "$WEIR_BIN"/weir-*; do
		n=$(basename "$p")
		if readelf -d "$p" | grep NEEDED | grep -E -q "librdkafka|libavro"; then
			echo "$n links librdkafka or libavro" >&3
			false
		fi
		# (not libstdc++, which the sanitizers' runtime brings)
		if ldd "$p" | grep -E -q "librdkafka|libavro|libssl|libcrypto|libsasl2"; then
			echo "$n loads at start: $(ldd "$p" | tr '\n' ' ')" >&3
			false
		fi
	done
	# ... yet loads them when it needs them
	run weir --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"librdkafka: "[0-9]*.[0-9]* ]]
}

# A librdkafka or libavro that the dynamic linker finds but cannot load
# (an empty file first on LD_LIBRARY_PATH) stands for one not installed.
unloadable() {
	mkdir -p "$T/lib"
	: > "$T/lib/$1"
	export LD_LIBRARY_PATH="$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# Each command, its stdout dropped: exit 3 with a message naming LIB.
io_error_naming() {
	local lib=$1 c
	shift
	for c in "$@"; do
		run limit bash -c "$c < /dev/null > /dev/null"
		[ "$status" -eq 3 ] || { echo "$c: $status $output" >&3; false; }
		[[ "$output" == *"cannot load $lib"* ]] ||
		    { echo "$c: $output" >&3; false; }
	done
}

@test "a librdkafka that cannot be loaded is an I/O error (exit 3) naming it, in every program that reaches Kafka" {
	unloadable librdkafka.so.1
	# programs that never reach Kafka do not notice
	run bash -o pipefail -c "weir source --gen clicks -c 2 | weir filter '.amount > 0' | weir sink"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	run weir --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"librdkafka: cannot load librdkafka.so.1"* ]]
	io_error_naming librdkafka.so.1 \
	    "weir-source -b 127.0.0.1:1 -t t" \
	    "weir-source -b 127.0.0.1:1 -G g t" \
	    "weir-source -b 127.0.0.1:1 -L" \
	    "weir-source -b 127.0.0.1:1 -L -J" \
	    "weir-source -b 127.0.0.1:1 -L -G g" \
	    "weir-source -b 127.0.0.1:1 -Q -t t:0:1" \
	    "weir-sink -b 127.0.0.1:1 -t t" \
	    "weir-sink -b 127.0.0.1:1 -t t --state $T/st --transactional-id x --progress-topic p" \
	    "weir-filter true --on-error kafka:127.0.0.1:1/dlq" \
	    "weir-broker" \
	    "weir-broker --fail-request Produce:NOT_LEADER_OR_FOLLOWER"
}

@test "a libavro that cannot be loaded is an I/O error (exit 3) naming it: -s avro" {
	unloadable libavro.so.23
	io_error_naming libavro.so.23 \
	    "weir-sink -b 127.0.0.1:1 -t t -s value=avro -r http://127.0.0.1:1" \
	    "weir-source -b 127.0.0.1:1 -t t -s value=avro -r http://127.0.0.1:1"
}

@test "every program has a man page that mandoc -Tlint passes" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	man=$BATS_TEST_DIRNAME/../../man
	for p in "$WEIR_BIN"/weir "$WEIR_BIN"/weir-*; do
		n=$(basename "$p")
		[ -f "$man/$n.1" ] || { echo "no man page for $n" >&3; false; }
	done
	run mandoc -Tlint -Wwarning "$man"/*.[1-8]
	[ "$status" -eq 0 ] || { echo "$output" >&3; false; }
}
