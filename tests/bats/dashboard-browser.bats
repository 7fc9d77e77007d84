#!/usr/bin/env bats
# weir-sink -f dashboard in a real browser (issue 19): headless Chromium
# (Debian's chromium, driven by playwright-core from tests/browser) loads
# the page while a windowed aggregation streams into it.  Open windows show
# as provisional; after the end every row is final and the final rows are
# what -f ndjson writes last per window and group; the chart has points.
# Screenshots are left in build/dashboard-live.png (half the input in)
# and build/dashboard.png (the end) for a person to look at.

load helpers

ROOT="$BATS_TEST_DIRNAME/../.."

wait_for() {
	local i
	for i in $(seq "${TRIES:-200}"); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/weir.XXXXXX")
	if [ ! -x /usr/bin/chromium ] || ! command -v node > /dev/null; then
		skip "Chromium or Node.js is not installed (tests/deps.sh installs chromium; node comes with npm)"
	fi
	make -s -C "$ROOT" browser-deps >&2
}

teardown() {
	exec 7>&- 2>/dev/null || true
	[ -z "${NODE_PID:-}" ] || kill "$NODE_PID" 2>/dev/null || true
	if [ -n "${DASH_PID:-}" ]; then
		kill -TERM "$DASH_PID" 2>/dev/null || true
		wait "$DASH_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}

@test "dashboard in Chromium: provisional rows while windows are open, then the oracle's final rows and a chart" {
	# 6000 clicks as NDJSON, fed in two halves into one pipeline
	weir-source --gen clicks --count 6000 | weir-sink -f ndjson > "$T/clicks"
	head -n 3000 "$T/clicks" > "$T/half1"
	tail -n +3001 "$T/clicks" > "$T/half2"
	pipeline() {
		weir-source --time .ts --max-delay 1s |
			weir-window tumbling 1s 2>/dev/null |
			weir-agg -g .page n=count spend=sum:.amount --emit updates
	}
	# the oracle: the same pipeline to -f ndjson
	pipeline < "$T/clicks" | weir-sink -f ndjson > "$T/expect.ndjson"
	mkfifo "$T/in"
	pipeline < "$T/in" | weir-sink -f dashboard --listen 127.0.0.1:0 \
		--chart spend --windows 20 2> "$T/err" &
	DASH_PID=$!
	exec 7> "$T/in"
	wait_for grep -q 'dashboard on port' "$T/err"
	PORT=$(sed -n 's/.*dashboard on port \([0-9]*\).*/\1/p' "$T/err")
	cat "$T/half1" >&7
	LIMIT=90 limit node "$ROOT/tests/browser/dashboard.mjs" \
		"http://127.0.0.1:$PORT/" "$T" 7>&- &
	NODE_PID=$!
	TRIES=600 wait_for test -s "$T/phase1.json"
	cat "$T/half2" >&7
	exec 7>&-
	touch "$T/go"
	wait "$NODE_PID"
	NODE_PID=""
	mkdir -p "$ROOT/build"
	cp "$T/dashboard.png" "$T/dashboard-live.png" "$ROOT/build/"
	echo "# screenshots: build/dashboard-live.png, build/dashboard.png" >&3

	# while the input was half in: open windows provisional
	jq -e '[.rows[] | select(.cls == "provisional")] | length > 0' "$T/phase1.json"
	# at the end: no errors, nothing fetched from elsewhere, all final
	jq -e '.errors == [] and .external == []' "$T/dom.json" || { jq -c "[.errors, .external]" "$T/dom.json"; false; }
	jq -e '.status | startswith("ended")' "$T/dom.json"
	jq -e '[.rows[] | select(.cls != "final")] | length == 0' "$T/dom.json"
	# the final rows are the oracle's last row per window and page
	jq -r '.rows[].row' "$T/dom.json" | sort > "$T/got"
	awk '{ match($0, /"window_start":[0-9]*/); w = substr($0, RSTART, RLENGTH)
	    match($0, /"page":"[^"]*"/); k = w substr($0, RSTART, RLENGTH)
	    last[k] = $0 } END { for (k in last) print last[k] }' \
	    "$T/expect.ndjson" | sort > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 50 ]
	cmp "$T/got" "$T/want"
	# numbers show as weir wrote them (spend is the last column; 12.30
	# stays 12.30)
	jq -e 'all(.rows[]; (.row | capture("\"spend\":(?<s>[^,}]*)").s) == .cells[-1])' "$T/dom.json"
	jq -e 'any(.rows[]; .cells[-1] | test("\\.[0-9]0$"))' "$T/dom.json"
	# readable times: ISO 8601 in the window column
	jq -e '.rows[0].cells[0] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")' "$T/dom.json"
	# the chart: spend, up to 5 groups, a point per window and group
	jq -e '.chart == "spend" and .lines >= 1 and .lines <= 5 and .points >= .lines' "$T/dom.json"
}
