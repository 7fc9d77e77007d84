#!/usr/bin/env bats
# weir-run: ${VAR} expansion in pipeline files is bounded (issue 11, 10):
# a small file that doubles a variable must not make --check use a
# gigabyte; it fails with FILE:LINE:COL instead.

load helpers

# doubling N: a pipeline whose A1..AN each double the one before
doubling() {
	{
		echo "env:"
		echo '  A0: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'
		for i in $(seq 1 "$1"); do
			echo "  A$i: \"\${A$((i - 1))}\${A$((i - 1))}\""
		done
		echo "stages:"
		echo "  - {name: a, run: [echo, \"\${A$1}\"]}"
	} > "$T/dbl.yaml"
}

@test "\${VAR} doubled 22 times: --check fails at the value, in bounded memory" {
	doubling 22
	[ "$(wc -c < "$T/dbl.yaml")" -lt 600 ]
	cd "$T"
	run limit /usr/bin/time -f %M -o rss weir-run --check dbl.yaml
	[ "$status" -eq 2 ]
	# peak resident size in KB: a bounded expansion needs a few MB (more
	# under AddressSanitizer), the unbounded one took over 500 MB
	echo "max RSS $(cat rss) KB"
	[ "$(tail -n 1 rss)" -lt 150000 ]
	# A12 would be 128 KiB, longer than one argument can be
	[ "${lines[0]}" = "dbl.yaml:14:8: A12: 128 KiB or longer once \${...} is expanded (more than one argument or environment string can hold)" ]
	[[ "$output" != *"out of memory"* ]]
}

@test "\${VAR}: many references to a long value are bounded in total" {
	# 100 KiB of value, referenced 50 times: 5 MB of arguments
	{
		printf 'env:\n  B: "%s"\nstages:\n  - name: a\n    run: [echo' \
		    "$(head -c 102400 /dev/zero | tr '\0' y)"
		for i in $(seq 50); do printf ', "${B}"'; done
		printf ']\n'
	} > "$T/many.yaml"
	cd "$T"
	run limit /usr/bin/time -f %M -o rss weir-run --check many.yaml
	[ "$status" -eq 2 ]
	echo "max RSS $(cat rss) KB"
	[ "$(tail -n 1 rss)" -lt 150000 ]
	# the 42nd reference goes over 4 MiB
	[ "$output" = "many.yaml:5:337: run: \${...} expansions add up to more than 4 MiB in this file" ]
}

@test "\${VAR}: values up to the bound still expand and run" {
	doubling 11
	cd "$T"
	run limit weir-run --check dbl.yaml
	[ "$status" -eq 0 ]
	run limit bash -o pipefail -c 'weir-run dbl.yaml | wc -c'
	[ "$status" -eq 0 ]
	[ "$output" -eq $((32 * 2048 + 1)) ]
}
