#!/usr/bin/env bats
# weir-run's /status as a page (issue 19): a browser asking for /status,
# or anyone asking for /status.html, gets an HTML table of the stages
# (records/s, watermark lag, restarts); curl and weir-run --status still
# get the text table.

load helpers
load run_helpers

teardown() {
	[ -z "${RUN_PID:-}" ] || kill -9 "$RUN_PID" 2>/dev/null || true
	[ -z "${GUARD_PID:-}" ] || kill "$GUARD_PID" 2>/dev/null || true
	rm -rf "$T"
}

@test "weir-run /status: an HTML page for browsers and at /status.html, text otherwise" {
	cat > "$T/p.yaml" <<-'Y'
	name: page<&>
	stages:
	  - {name: src, run: weir-source --gen clicks --rate 1000 --max-delay 1s}
	  - {name: out, run: [weir-sink, -o, /dev/null]}
	Y
	start_run --metrics 127.0.0.1:0 "$T/p.yaml"
	wait_for metrics_port
	# wait for the first counters (stages report about once a second)
	wait_for sh -c "curl -sf http://127.0.0.1:$PORT/status.html |
	    grep -q '<td>src</td><td class=\"up\">running</td><td>0</td><td>0</td><td>[1-9]'"
	curl -sf "http://127.0.0.1:$PORT/status.html" > "$T/page"
	cat "$T/page"
	grep -q '^<!doctype html>' "$T/page"
	# the pipeline's name is escaped
	grep -q '<h1>page&lt;&amp;&gt;</h1>' "$T/page"
	grep -q '<th>in/s</th>' "$T/page"
	grep -q '<th>watermark lag (s)</th>' "$T/page"
	grep -q '<th>restarts</th>' "$T/page"
	# the source's watermark, ISO 8601, and a lag in seconds
	grep -Eq '<td>src</td>.*<td>2023-11-1[0-9]T[0-9:]{8}\.[0-9]{3}Z</td><td>[0-9]+\.[0-9]{3}</td></tr>' "$T/page"
	grep -q '<td>out</td><td class="up">running</td>' "$T/page"
	# a browser's Accept header gets the page at /status
	run curl -sf -H 'Accept: text/html,application/xhtml+xml,*/*;q=0.8' \
		"http://127.0.0.1:$PORT/status"
	[ "$status" -eq 0 ]
	[[ "$output" == "<!doctype html>"* ]]
	run curl -sI -H 'Accept: text/html' "http://127.0.0.1:$PORT/status"
	[[ "$output" == *"text/html"* ]]
	# anything else gets the text table, as before
	run curl -sf "http://127.0.0.1:$PORT/status"
	[[ "${lines[0]}" == "STAGE"*"PID"*"IN/s"*"WATERMARK"* ]]
	run weir-run --status "127.0.0.1:$PORT"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "STAGE"*"PID"*"IN/s"*"WATERMARK"* ]]
}
