#!/usr/bin/env bats
# Shell completions generated from the programs' --help
# (tools/completions.sh): bash, zsh and fish.

load helpers

# the completions, generated once (every program's --help), for every test
setup_file() {
	sh "$BATS_TEST_DIRNAME/../../tools/completions.sh" "$WEIR_BIN" \
	    "$BATS_FILE_TMPDIR/c"
}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/weir.XXXXXX")
	cp -R "$BATS_FILE_TMPDIR/c" "$T/c"
}

# bashcomp WORD...: what bash completes for the last word
bashcomp() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@");
	    COMP_CWORD=$(($# - 1)); _weir_complete;
	    printf "%s\n" "${COMPREPLY[@]}"' _ "$T/c/weir.bash" "$@"
}

@test "bash: weir-source --ch<TAB> gives --checkpoint" {
	run bash -o pipefail -c 'source "$1"; complete -p weir-source' _ "$T/c/weir.bash"
	[ "$output" = "complete -o default -F _weir_complete weir-source" ]
	run bashcomp weir-source --ch
	[ "$status" -eq 0 ]
	[ "$output" = "--checkpoint" ]
	# a short option, and nothing but options for a word with a dash
	run bashcomp weir-run -
	[[ "$output" == *$'\n--metrics-public\n'* ]]
	[[ "$output" == *$'\n-q\n'* ]]
	! grep -qv '^-' <<< "$output" || false
}

@test "bash: weir VERB completes verbs, then the verb's options" {
	run bashcomp weir wi
	[ "$output" = "window" ]
	run bashcomp weir source --chec
	[ "$output" = "--checkpoint" ]
}

@test "every option in a program's --help is offered (two to a line too)" {
	for p in "$WEIR_BIN"/weir-*; do
		n=${p##*/}
		"$p" --help | grep -o -- '^ *--[a-z][a-z0-9-]*\|   --[a-z][a-z0-9-]*' |
		    tr -d ' ' | sort -u > "$T/want"
		bashcomp "$n" -- | sort -u > "$T/got"
		comm -23 "$T/want" "$T/got" > "$T/missing"
		[ ! -s "$T/missing" ] || { echo "$n: $(cat "$T/missing")"; false; }
	done
	# grep reads all (not -q): with pipefail, a grep that quit at the
	# match could leave bashcomp killed by SIGPIPE (status 141)
	bashcomp weir-check --uni | grep -x -- --unique-approx > /dev/null
}

@test "zsh: _weir is valid zsh and names every program" {
	[ -s "$T/c/_weir" ]
	head -1 "$T/c/_weir" | grep -q '^#compdef weir .*weir-source'
	grep -q "'\*--checkpoint\[" "$T/c/_weir"
	command -v zsh > /dev/null || skip "zsh is not installed (tests/deps.sh)"
	zsh -n "$T/c/_weir"
}

@test "fish: weir.fish is valid fish and completes weir-source --ch" {
	[ -s "$T/c/weir.fish" ]
	command -v fish > /dev/null || skip "fish is not installed (tests/deps.sh)"
	fish -n "$T/c/weir.fish"
	run fish -c "source $T/c/weir.fish; complete -C 'weir-source --ch'"
	[[ "$output" == "--checkpoint"* ]]
	run fish -c "source $T/c/weir.fish; complete -C 'weir source --chec'"
	[[ "$output" == "--checkpoint"* ]]
}
