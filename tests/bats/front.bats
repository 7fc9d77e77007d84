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
