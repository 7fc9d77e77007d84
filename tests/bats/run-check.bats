#!/usr/bin/env bats
# weir-run --check: every problem as FILE:LINE:COL: message, exit 2;
# --dot; ${VAR} expansion.  Table-driven: each case is a broken file and
# the exact diagnostics it must give.

load helpers

# check_case NAME EXPECTED-OUTPUT < yaml
check_case() {
	cat > "$T/$1.yaml"
	cd "$T"
	run weir-run --check "$1.yaml"
	[ "$status" -eq 2 ] || { echo "status $status: $output"; return 1; }
	[ "$output" = "$2" ] || { printf 'got:\n%s\nwant:\n%s\n' "$output" "$2"; return 1; }
}

@test "--check: misspelt keys get a suggestion, unknown ones the list" {
	check_case typo "typo.yaml:1:1: unknown key 'nmae' in the pipeline; did you mean 'name'?
typo.yaml:5:5: unknown key 'inptus' in stage 'src'; did you mean 'inputs'?
typo.yaml:6:11: unknown key 'polcy' in restart; did you mean 'policy'?
typo.yaml:6:25: unknown key 'colour' in restart (known keys: policy, backoff, max, period)" <<-'Y'
	nmae: x
	stages:
	  - name: src
	    run: weir-source --gen clicks
	    inptus: {3: src}
	restart: {polcy: never, colour: red}
	Y
}

@test "--check: wrong types" {
	check_case types "types.yaml:2:19: restart.policy: unknown policy 'sometimes' (on-failure, always or never)
types.yaml:2:35: restart.max: 'many' is not a number from 0 to 1000000
types.yaml:2:50: restart.backoff must be a duration or a list [MIN, MAX], not a mapping
types.yaml:4:22: stage 'src': run must be a command string or a list of arguments, not a mapping
types.yaml:5:12: stage 2: name must be a string, not a list
types.yaml:6:32: stage 'c': run: each argument must be a string, not a list
types.yaml:7:1: duplicate key 'stages' (first at line 3)" <<-'Y'
	name: t
	restart: {policy: sometimes, max: many, backoff: {a: 1}}
	stages:
	  - {name: src, run: {a: b}}
	  - {name: [x], run: weir-sink}
	  - {name: c, run: [weir-sink, [x]]}
	stages: {}
	Y
}

@test "--check: duplicate names and keys" {
	check_case dup "dup.yaml:3:12: duplicate stage name 'a' (first at line 2)
dup.yaml:4:31: duplicate key 'run' (first at line 4)" <<-'Y'
	stages:
	  - {name: a, run: weir-source --gen clicks}
	  - {name: a, run: weir-sink}
	  - {name: b, run: weir-sink, run: weir-sink}
	Y
}

@test "--check: missing programs, unknown inputs, bad descriptors" {
	check_case missing "missing.yaml:2:20: stage 'a': program 'weir-nosuch' not found beside weir-run or on PATH
missing.yaml:3:20: stage 'b': program './not-here' not found or not executable
missing.yaml:4:40: stage 'c': input: unknown stage 'sorce'; did you mean 'source'?
missing.yaml:5:40: stage 'd': inputs: '1' is not a descriptor number from 3 to 255 (0, 1 and 2 are stdin, stdout and stderr)
missing.yaml:6:5: stage 'source' has no run (the command to run)" <<-'Y'
	stages:
	  - {name: a, run: weir-nosuch --x}
	  - {name: b, run: ./not-here}
	  - {name: c, run: [weir-sink], input: sorce}
	  - {name: d, run: weir-sink, inputs: {1: a}}
	  - {name: source}
	Y
}

@test "--check: cycles" {
	# b is a side stage (named in inputs), so c reads a on stdin
	check_case cycle "cycle.yaml:2:38: stage 'a': input cycle: a -> c -> a" <<-'Y'
	stages:
	  - {name: a, run: weir-sink, input: c}
	  - {name: b, run: weir-sink}
	  - {name: c, run: weir-sink, inputs: {3: b}}
	Y
	check_case cycle3 "cycle3.yaml:2:38: stage 'a': input cycle: a -> b -> c -> a" <<-'Y'
	stages:
	  - {name: a, run: weir-sink, input: c}
	  - {name: b, run: weir-sink, input: a}
	  - {name: c, run: weir-sink, input: b}
	Y
	check_case self "self.yaml:2:38: stage 'a': input cycle: a -> a" <<-'Y'
	stages:
	  - {name: a, run: weir-sink, input: a}
	Y
}

@test "--check: YAML syntax errors, empty files, undefined variables" {
	check_case syntax "syntax.yaml:3:9: YAML: did not find expected ',' or '}' while parsing a flow mapping" <<-'Y'
	stages:
	  - {name: a, run: weir-sink
	  - name: b
	Y
	check_case empty "empty.yaml:1:1: empty pipeline (it needs at least 'stages')" < /dev/null
	unset NOPE_X
	check_case var "var.yaml:2:20: stage 'a': run: undefined variable 'NOPE_X' (set it, or write \${NOPE_X:-default})
var.yaml:3:20: stage 'b': run: unterminated double quote" <<-'Y'
	stages:
	  - {name: a, run: "weir-source ${NOPE_X}"}
	  - {name: b, run: 'weir-sink "x'}
	Y
}

@test "--check: a good file is ok, several files at once" {
	cat > "$T/good.yaml" <<-'Y'
	stages:
	  - {name: a, run: weir-source --gen clicks}
	  - {name: b, run: weir-sink}
	Y
	printf 'stages: []\n' > "$T/bad.yaml"
	cd "$T"
	run weir-run --check good.yaml
	[ "$status" -eq 0 ]
	[ "$output" = "good.yaml: ok (2 stages)" ]
	run weir-run --check good.yaml bad.yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *"good.yaml: ok (2 stages)"*"bad.yaml:1:9: stages: the list is empty"* ]]
	# weir-run refuses to start a pipeline that fails the check
	run weir-run bad.yaml
	[ "$status" -eq 2 ]
	[ "$output" = "bad.yaml:1:9: stages: the list is empty" ]
}

@test "\${VAR} and \${VAR:-default} from env: and the environment" {
	cat > "$T/p.yaml" <<-'Y'
	env:
	  WHO: "${WHO:-world}"
	  GREETING: "hello ${WHO}"
	stages:
	  - name: say
	    run: [sh, -c, 'echo "$GREETING|$1|$2|$3"', sh, "${GREETING}", '${WHO}', "$${WHO} ${NONE:-${WHO}x}"]
	Y
	run limit weir-run "$T/p.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = 'hello world|hello world|${WHO}|${WHO} worldx' ]
	WHO=you run limit weir-run "$T/p.yaml"
	[ "$output" = 'hello you|hello you|${WHO}|${WHO} youx' ]
}

@test "--dot: the graph, with fan-in descriptors" {
	cat > "$T/p.yaml" <<-'Y'
	name: g
	stages:
	  - {name: clicks, run: weir-source --gen clicks}
	  - {name: users, run: weir-source users.ndjson}
	  - {name: join, run: weir-sink, inputs: {3: users}}
	Y
	run weir-run --dot "$T/p.yaml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'digraph "g" {' ]
	[[ "$output" == *'"clicks" -> "join";'* ]]
	[[ "$output" == *'"users" -> "join" [label="fd 3"];'* ]]
	[[ "$output" == *'"join" -> stdout;'* ]]
	if command -v dot > /dev/null; then
		weir-run --dot "$T/p.yaml" | dot -Tsvg > /dev/null
	fi
}

@test "--check: two stages writing weir-run's stdout are refused (issue 11, 5)" {
	# c has no input: it reads b, the branch, not a; a and c would both
	# write to weir-run's standard output
	check_case twoout "twoout.yaml:3:5: stage 'a': nothing reads its output, so it goes to weir-run's standard output, as does that of stage 'c' (line 5): only one stage may write there (read 'a' in an input, or give one of them stdout: none)" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks}
	  - {name: a, run: weir-sink -f ndjson}
	  - {name: b, input: src, run: weir-source}
	  - {name: c, run: weir-sink -f csv}
	Y
	# a side stage left reading nothing: c is named in inputs, so it reads
	# /dev/null, and j reads b
	check_case side "side.yaml:3:5: stage 'a': nothing reads its output, so it goes to weir-run's standard output, as does that of stage 'j' (line 6): only one stage may write there (read 'a' in an input, or give one of them stdout: none)" <<-'Y'
	stages:
	  - {name: src, run: weir-source --gen clicks}
	  - {name: a, run: weir-sink -f ndjson}
	  - {name: b, input: src, run: weir-source}
	  - {name: c, run: weir-source}
	  - {name: j, run: weir-sink, inputs: {3: c}}
	Y
	# fan-out: every branch but one says where its output goes
	check_case fanout "fanout.yaml:3:5: stage 'out': nothing reads its output, so it goes to weir-run's standard output, as does that of stage 'archive' (line 4): only one stage may write there (read 'out' in an input, or give one of them stdout: none)" <<-'Y'
	stages:
	  - {name: clicks, run: weir-source --gen clicks}
	  - {name: out, run: weir-sink -f ndjson}
	  - {name: archive, input: clicks, run: [weir-sink, -o, a.wf]}
	Y
	cat > "$T/ok.yaml" <<-'Y'
	stages:
	  - {name: clicks, run: weir-source --gen clicks}
	  - {name: out, run: weir-sink -f ndjson}
	  - {name: archive, input: clicks, stdout: none, run: [weir-sink, -o, a.wf]}
	Y
	run weir-run --check "$T/ok.yaml"
	[ "$status" -eq 0 ]
}

@test "--check: stdout: none only on a stage nobody reads, and only none" {
	check_case readnone "readnone.yaml:2:54: stage 'a': stdout: none, but stage 'b' reads its output
readnone.yaml:4:54: stage 'c': stdout: 'off' is not none (the only value; leave it out to write to weir-run's standard output)" <<-'Y'
	stages:
	  - {name: a, run: weir-source --gen clicks, stdout: none}
	  - {name: b, run: weir-sink}
	  - {name: c, run: weir-source --gen clicks, stdout: off}
	  - {name: d, run: weir-sink, input: c}
	Y
}
