#!/usr/bin/env bats
# Every example of the manual pages' EXAMPLES sections and of README.md, run
# as printed: tests/man_examples.py extracts them from the page sources
# (so they cannot drift), each runs with pipefail in a copy of examples/,
# its commands' exit statuses and the output the page shows are checked.
# Skips are marked in the page source (".\" test: skip REASON") and listed
# as TAP comments.
load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
EXDIR="$BATS_FILE_TMPDIR/ex"

setup_file() {
	python3 "$REPO/tests/man_examples.py" extract "$BATS_FILE_TMPDIR/ex" \
	    "$REPO"/man/*.[1-8] "$REPO/README.md" > /dev/null
}

# free_ports: three free loopback ports, on one line
free_ports() {
	python3 -c '
import socket
ss = [socket.socket() for i in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])'
}

# load_info N: the fields of example N's .info as I_page, I_title, I_skip,
# I_needs, I_broker, I_until and I_stdin (read by the shell: a process for
# each field of each of 90 examples took seconds)
load_info() {
	local k v
	I_page= I_title= I_skip= I_needs= I_broker= I_until= I_stdin=
	while IFS='=' read -r k v; do
		case $k in
		page | title | skip | needs | broker | until | stdin)
			printf -v "I_$k" '%s' "$v" ;;
		esac
	done < "$EXDIR/$1.info"
}

# run_one N: run example N; prints why it failed, returns 1 if it did.
run_one() {
	local n=$1 dir="$T/$1" st lim in t0 bpid=
	load_info "$n"
	if [ -n "$I_skip" ]; then
		echo "# $n $I_page '$I_title': skipped: $I_skip" >&3
		return 0
	fi
	if [ -n "$I_needs" ] && ! command -v "$I_needs" > /dev/null; then
		echo "# $n: skipped: needs $I_needs" >&3
		return 0
	fi
	mkdir -p "$dir"
	cp -RL "$REPO/examples/." "$dir/"
	export EX_DIR="$EXDIR" EX_KAFKA_PORT EX_METRICS_PORT EX_HTTP_PORT
	read -r EX_KAFKA_PORT EX_METRICS_PORT EX_HTTP_PORT < <(free_ports)
	if [ -n "$I_broker" ]; then
		weir-broker --port "$EX_KAFKA_PORT" --topic clicks:4 \
		    --ready-file "$dir/.ex-broker" > /dev/null 2>&1 &
		bpid=$!
		for i in $(seq 200); do [ -e "$dir/.ex-broker" ] && break; sleep 0.05; done
		weir-source --gen clicks --count 1000 |
		    limit weir-sink -b "localhost:$EX_KAFKA_PORT" -t clicks -K .user
	fi
	lim=$I_until
	in=$I_stdin
	t0=$SECONDS
	(cd "$dir" && BROKERS="localhost:$EX_KAFKA_PORT" STATE_DIR="$dir/state" \
	    timeout -k 5 "${lim:-120}" bash "$EXDIR/$n.sh" \
	    < "${in:-/dev/null}" > "$dir/.ex-stdout" 2> "$dir/.ex-stderr")
	st=$?
	[ $((SECONDS - t0)) -lt 10 ] ||
	    echo "# $n $I_page: $((SECONDS - t0)) s" >&3
	if [ -n "$bpid" ]; then
		kill "$bpid" 2>/dev/null
		wait "$bpid" 2>/dev/null
	fi
	if [ "$st" -ne 0 ] && ! { [ -n "$lim" ] && [ "$st" -eq 124 ]; }; then
		echo "$n $I_page '$I_title': exit $st"
		sed 's/^/    /' "$EXDIR/$n.sh" | tail -n +7
		tail -5 "$dir/.ex-stderr" | sed 's/^/  stderr: /'
		return 1
	fi
	for w in "$EXDIR/$n".want.*; do
		[ -e "$w" ] || continue
		if ! python3 "$REPO/tests/man_examples.py" match "$w" "$dir/.ex-out.${w##*.}"; then
			echo "$n $I_page '$I_title': output of command ${w##*.} differs"
			sed 's/^/  want: /' "$w"
			head -5 "$dir/.ex-out.${w##*.}" | sed 's/^/  got:  /'
			return 1
		fi
	done
	rm -rf "$dir"
}

# examples PAGE: run every example of PAGE ("weir-agg(1)", "README.md").
examples() {
	local n f failed=0 ran=0
	for f in "$EXDIR"/*.info; do
		n=${f##*/}
		n=${n%.info}
		load_info "$n"
		[ "$I_page" = "$1" ] || continue
		ran=$((ran + 1))
		run_one "$n" || failed=$((failed + 1))
	done
	[ "$ran" -gt 0 ] || { echo "no examples in $1"; return 1; }
	[ "$failed" -eq 0 ]
}

@test "man-examples: every page with EXAMPLES is run here" {
	for p in "$REPO"/man/*.[1-8]; do
		grep -q '^\.Sh EXAMPLES' "$p" || continue
		b=$(basename "$p")
		grep -qF "examples \"${b%.*}(${b##*.})\"" "$BATS_TEST_FILENAME"
	done
}

@test "man-examples: extraction (commands, continued lines, shown output, directives)" {
	cat > "$T/x.1" <<'MAN'
.Sh EXAMPLES
Two commands, the first continued, the second with output:
.Bd -literal -offset indent
$ printf 'a\en' |
    wc -l
$ echo '"x"' yz
"x" yz
.Ed
.Pp
.\" test: status 3
.Dl $ sh -c 'exit 3'
.Pp
.\" test: skip shown only
.Dl $ false
.Sh SEE ALSO
.Dl $ false
MAN
	run python3 "$REPO/tests/man_examples.py" extract "$T/ex" "$T/x.1"
	[ "$output" = 3 ]
	grep -q '^title=Two commands, the first continued, the second with output$' "$T/ex/001.info"
	[ "$(cat "$T/ex/001.want.2")" = '"x" yz' ]
	grep -q "^    wc -l$" "$T/ex/001.sh"
	(cd "$T" && bash ex/001.sh)
	[ "$(cat "$T/.ex-out.2")" = '"x" yz' ]
	(cd "$T" && bash ex/002.sh)
	grep -q '^skip=shown only$' "$T/ex/003.info"
	! [ -e "$T/ex/003.sh" ] || false
	printf 'a\nb\nc\n' > "$T/got"
	printf 'a\n...\n' > "$T/want"
	python3 "$REPO/tests/man_examples.py" match "$T/want" "$T/got"
	printf 'a\nc\n' > "$T/want"
	! python3 "$REPO/tests/man_examples.py" match "$T/want" "$T/got" || false
}

@test "man-examples: weir(1)" { examples "weir(1)"; }
@test "man-examples: weir(7)" { examples "weir(7)"; }
@test "man-examples: weir-agg(1)" { examples "weir-agg(1)"; }
@test "man-examples: weir-broker(1)" { examples "weir-broker(1)"; }
@test "man-examples: weir-check(1)" { examples "weir-check(1)"; }
@test "man-examples: weir-expr(7)" { examples "weir-expr(7)"; }
@test "man-examples: weir-filter(1)" { examples "weir-filter(1)"; }
@test "man-examples: weir-join(1)" { examples "weir-join(1)"; }
@test "man-examples: weir-map(1)" { examples "weir-map(1)"; }
@test "man-examples: weir-pipeline(5)" { examples "weir-pipeline(5)"; }
@test "man-examples: weir-run(1)" { examples "weir-run(1)"; }
@test "man-examples: weir-sink(1)" { examples "weir-sink(1)"; }
@test "man-examples: weir-source(1)" { examples "weir-source(1)"; }
@test "man-examples: weir-window(1)" { examples "weir-window(1)"; }
@test "man-examples: README.md" { examples "README.md"; }
