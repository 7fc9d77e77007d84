#!/usr/bin/env bats
# One error convention (issue #12 item 3): each kind of failure of the
# library exits with its own status (weir(7), EXIT STATUS): a bad argument
# or file 2, an I/O error 3.
load helpers

@test "weir-run: a pipeline file that cannot be read is an I/O error (exit 3), a missing one a usage error (exit 2)" {
	# /proc/self/mem opens, and its first read fails with EIO
	run weir-run --check /proc/self/mem
	[ "$status" -eq 3 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"Input/output error"* ]]
	run weir-run --check "$T/missing.yaml"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"No such file"* ]]
	run weir-run --check "$T"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
}

@test "weir-run --status: an address that is not HOST:PORT is a usage error (exit 2), a refused connection an I/O error (exit 3)" {
	run weir-run --status 127.0.0.1:http
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"bad port"* ]]
	run weir-run --status 127.0.0.1:1
	[ "$status" -eq 3 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"Connection refused"* ]]
}

@test "weir-sink --fields: a path that is not a field name is a usage error (exit 2), not out of memory" {
	run bash -o pipefail -c "echo '{\"a\":1}' | weir-sink -f csv --fields '.[0]'"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"--fields"* ]]
	[[ "$output" != *"out of memory"* ]]
	mkdir -p "$T/b"
	run bash -o pipefail -c "echo '{\"ts\":1,\"a\":1}' | weir-source --time .ts | weir-sink -f csv --fields 'a,.[0]' --path '$T/b/%Y.csv'"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"--fields"* ]]
	[[ "$output" != *"out of memory"* ]]
}

@test "weir-sink --fields .a.b: a nested path is a usage error naming the field-with-a-dot form, not the column \"a.b\"" {
	# it was taken as the top-level field "a.b" and wrote that field's
	# value (2) under the header a.b, silently
	run bash -o pipefail -c "echo '{\"a\":{\"b\":1},\"a.b\":2}' | weir-sink -f csv --fields .a.b"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; false; }
	[[ "$output" == *"--fields: .a.b is not a top-level field"*'.["a.b"]'* ]]
	# the documented ways still work: a bare name, .name, .["a.b"]
	run bash -o pipefail -c "echo '{\"a\":{\"b\":1},\"a.b\":2,\"c\":3}' | weir-sink -f csv --fields 'c,.c,.[\"a.b\"]'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'c,c,a.b\n3,3,2')" ]
}
