#!/usr/bin/env bats
# weir-sink -f dashboard (issue 19): the event stream at /events against
# what -f ndjson writes for the same input; a snapshot for new clients;
# Last-Event-ID; 50 clients; a slow client dropped without slowing the
# sink; loopback only unless asked; nothing served but / and /events.

load helpers

# The input: per-page counts and spend in 500 ms windows as a changelog
# (--emit updates), so a window and group have many rows, the last final.
make_input() {
	weir-source --gen clicks --count 3000 --max-delay 1s |
		weir-window tumbling 500ms 2>/dev/null |
		weir-agg -g .page n=count spend=sum:.amount --emit updates \
		> "$T/agg.wf"
	weir-sink -f ndjson < "$T/agg.wf" > "$T/expect.ndjson"
	[ "$(wc -l < "$T/expect.ndjson")" -gt 1000 ]
}

# start_dash [OPTIONS...]: the dashboard on a free loopback port ($PORT),
# reading the fifo $T/in, which fd 7 keeps open until feed_end.
start_dash() {
	mkfifo "$T/in"
	weir-sink -f dashboard --listen 127.0.0.1:0 "$@" < "$T/in" \
		2> "$T/err" &
	DASH_PID=$!
	exec 7> "$T/in"
	wait_for grep -q 'dashboard on port' "$T/err"
	PORT=$(sed -n 's/.*dashboard on port \([0-9]*\).*/\1/p' "$T/err")
	[ -n "$PORT" ]
}

feed_end() {
	exec 7>&-
}

wait_for() {
	local i
	for i in $(seq "${TRIES:-200}"); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

teardown() {
	exec 7>&- 2>/dev/null || true
	[ -z "${PIDS:-}" ] || kill $PIDS 2>/dev/null || true
	if [ -n "${DASH_PID:-}" ]; then
		kill -TERM "$DASH_PID" 2>/dev/null || true
		wait "$DASH_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}

# rows FILE: the rows of an event stream (the first data line of each
# row event), in order
rows() {
	awk '/^event: row$/ { r = 1; next } r && /^data: / { print substr($0, 7); r = 0 }' "$1"
}

# the rows a snapshot sent (those before its "event: snapshot")
snap_rows() {
	awk '/^event: snapshot$/ { exit } /^event: row$/ { r = 1; next }
	    r && /^data: / { print substr($0, 7); r = 0 }' "$1"
}

# the oracle's snapshot: the last row per window and page of the last N
# windows of expect.ndjson
oracle_snapshot() {
	awk -v n="$1" '{
		match($0, /"window_end":[0-9]*/); e = substr($0, RSTART + 13, RLENGTH - 13)
		match($0, /"page":"[^"]*"/); k = e SUBSEP substr($0, RSTART, RLENGTH)
		last[k] = $0; win[k] = e; ends[e] = 1
	} END {
		m = 0; for (e in ends) all[++m] = e
		# the n largest window ends
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (all[j] + 0 > all[i] + 0) { t = all[i]; all[i] = all[j]; all[j] = t }
		for (i = 1; i <= n && i <= m; i++) keep[all[i]] = 1
		for (k in last) if (win[k] in keep) print last[k]
	}' "$T/expect.ndjson" | sort
}

has_end() {
	grep -q '^event: end$' "$1"
}

@test "dashboard: curl -N on /events gets the rows -f ndjson writes, ids in order, then end" {
	make_input
	start_dash
	limit curl -sN "http://127.0.0.1:$PORT/events" > "$T/c1" 7>&- &
	PIDS="$!"
	wait_for grep -q '^event: snapshot$' "$T/c1"
	# an empty snapshot before the input
	grep -q '^data: {"wm":null,"end":0,"rows":0}$' "$T/c1"
	cat "$T/agg.wf" >&7
	feed_end
	wait_for has_end "$T/c1"
	rows "$T/c1" > "$T/got"
	cmp "$T/got" "$T/expect.ndjson"
	# live events have ids B+1, B+2, ... after the snapshot's B, none
	# missing; B is the start time in ms times 1000
	sed -n 's/^id: //p' "$T/c1" | awk -v now="$(date +%s)" '
	    NR == 1 && ($1 < (now - 60) * 1000000 || $1 > (now + 1) * 1000000) { exit 1 }
	    NR > 1 && $1 != prev + 1 { exit 1 } { prev = $1 }'
	# the watermarks arrive too, the last one before end
	grep -q '^event: watermark$' "$T/c1"
	# the sink keeps serving after END
	sleep 0.3
	kill -0 "$DASH_PID"
	run curl -sf -m 5 "http://127.0.0.1:$PORT/"
	[ "$status" -eq 0 ]
	[[ "$output" == *"<title>weir dashboard</title>"* ]]
}

@test "dashboard: a new client's snapshot is the latest row per window and group of the last --windows" {
	make_input
	start_dash --windows 5
	cat "$T/agg.wf" >&7
	feed_end
	wait_for grep -q '"end":1' <(curl -s -m 1 "http://127.0.0.1:$PORT/events")
	curl -sN -m 2 "http://127.0.0.1:$PORT/events" > "$T/c2" || true
	grep -q '^event: reset$' "$T/c2"
	grep -q '^data: {"chart":null,"key":null,"windows":5}$' "$T/c2"
	snap_rows "$T/c2" | sort > "$T/got"
	oracle_snapshot 5 > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 20 ]
	cmp "$T/got" "$T/want"
	# it says how many rows it had, that the stream ended, and its id
	# is the last event's
	n=$(wc -l < "$T/want")
	grep -q "^data: {\"wm\":[0-9]*,\"end\":1,\"rows\":$n}\$" "$T/c2"
}

@test "dashboard: Last-Event-ID resumes with what the client missed; beyond the buffer, a snapshot" {
	make_input
	start_dash --buffer 4000
	# ids start after the empty snapshot's
	# the stream stays open: curl ends by its time limit (28)
	B=$( (curl -s -m 1 "http://127.0.0.1:$PORT/events" || true) |
	    sed -n 's/^id: //p')
	[ -n "$B" ]
	cat "$T/agg.wf" >&7
	feed_end
	wait_for grep -q '"end":1' <(curl -s -m 1 "http://127.0.0.1:$PORT/events")
	# every event after the 100th, and no snapshot
	curl -sN -m 2 -H "Last-Event-ID: $((B + 100))" \
		"http://127.0.0.1:$PORT/events" > "$T/r" || true
	! grep -q '^event: reset$' "$T/r" || false
	[ "$(sed -n '1s/^id: //p' "$T/r")" -eq $((B + 101)) ]
	has_end "$T/r"
	# the rows after event 100 of a full stream are the rows it got
	curl -sN -m 2 -H "Last-Event-ID: $B" "http://127.0.0.1:$PORT/events" \
		> "$T/all" || true
	! grep -q '^event: reset$' "$T/all" || false
	rows "$T/all" > "$T/allrows"
	cmp "$T/allrows" "$T/expect.ndjson"
	awk -v b="$B" '/^id: / { id = $2 } id > b + 100' "$T/all" > "$T/tail"
	rows "$T/tail" > "$T/want"
	rows "$T/r" > "$T/got"
	cmp "$T/got" "$T/want"

	# an id from before this run (lower than its first): a snapshot
	curl -sN -m 2 -H 'Last-Event-ID: 5' "http://127.0.0.1:$PORT/events" \
		> "$T/r0" || true
	grep -q '^event: reset$' "$T/r0"

	# a smaller buffer has dropped the first events: a snapshot
	kill -TERM "$DASH_PID"
	wait "$DASH_PID"
	rm -f "$T/in"
	start_dash --buffer 100
	# the stream stays open: curl ends by its time limit (28)
	B=$( (curl -s -m 1 "http://127.0.0.1:$PORT/events" || true) |
	    sed -n 's/^id: //p')
	cat "$T/agg.wf" >&7
	feed_end
	wait_for grep -q '"end":1' <(curl -s -m 1 "http://127.0.0.1:$PORT/events")
	curl -sN -m 2 -H "Last-Event-ID: $((B + 1))" \
		"http://127.0.0.1:$PORT/events" > "$T/r2" || true
	grep -q '^event: reset$' "$T/r2"
	grep -q '^event: snapshot$' "$T/r2"
	# a garbled id also gets a snapshot
	curl -sN -m 2 -H 'Last-Event-ID: x7' "http://127.0.0.1:$PORT/events" \
		> "$T/r3" || true
	grep -q '^event: reset$' "$T/r3"
}

@test "dashboard: 50 clients at once each get every row" {
	make_input
	start_dash
	PIDS=""
	for i in $(seq 50); do
		limit curl -sN "http://127.0.0.1:$PORT/events" > "$T/c$i" 7>&- &
		PIDS="$PIDS $!"
	done
	for i in $(seq 50); do
		wait_for grep -q '^event: snapshot$' "$T/c$i"
	done
	cat "$T/agg.wf" >&7
	feed_end
	for i in $(seq 50); do
		wait_for has_end "$T/c$i"
		rows "$T/c$i" > "$T/got"
		cmp "$T/got" "$T/expect.ndjson"
	done
	# no client was too slow
	kill -TERM "$DASH_PID"
	wait "$DASH_PID"
	DASH_PID=""
	! grep -q 'dropped' "$T/err" || false
}

@test "dashboard: a client that stops reading is dropped; the sink and the other clients go on" {
	# 100,000 rows of 400 bytes (40 MB of events), fed 500 at a time,
	# against a buffer of 30,000 events: room for a client that reads
	# (even under AddressSanitizer), not for one that stops
	pad=$(printf '%0360d' 0)
	seq 100000 | awk -v pad="$pad" '{ printf "{\"user\":\"u%d\",\"n\":%d,\"pad\":\"%s\"}\n", $1 % 100, $1, pad }' > "$T/big"
	start_dash --buffer 30000
	# the slow client: asks for /events, then reads nothing until the
	# whole input is in (so a sink that waited for it would never finish)
	python3 - "$PORT" "$T/fed" > "$T/slow" 7>&- <<'PY' &
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
for i in range(1200):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
s.settimeout(20)
got = b""
closed = False
try:
    while True:
        b = s.recv(65536)
        if not b:
            closed = True
            break
        got += b
except socket.timeout:
    pass
print("closed" if closed else "open", got.count(b"event: row"),
      got.count(b"event: end"))
PY
	SLOW_PID=$!
	PIDS="$SLOW_PID"
	limit curl -sN "http://127.0.0.1:$PORT/events" > "$T/fast" 7>&- &
	PIDS="$PIDS $!"
	wait_for grep -q '^event: snapshot$' "$T/fast"
	sleep 0.5	# the slow client is connected
	# paced, so that a client that reads keeps up
	LIMIT=60 limit python3 -c '
import sys, time
lines = open(sys.argv[1], "rb").readlines()
for i in range(0, len(lines), 500):
    sys.stdout.buffer.write(b"".join(lines[i:i + 500]))
    sys.stdout.flush()
    time.sleep(0.02)
' "$T/big" >&7
	feed_end
	TRIES=600 wait_for has_end "$T/fast"
	touch "$T/fed"
	[ "$(rows "$T/fast" | wc -l)" -eq 100000 ]
	cmp <(rows "$T/fast") "$T/big"
	# the slow client was disconnected before the end
	wait "$SLOW_PID"
	cat "$T/slow"
	read -r state nrows nend < "$T/slow"
	[ "$state" = closed ]
	[ "$nend" -eq 0 ]
	[ "$nrows" -lt 100000 ]
	kill -TERM "$DASH_PID"
	wait "$DASH_PID"
	DASH_PID=""
	grep -q 'dashboard: 1 slow client dropped' "$T/err"
}

@test "dashboard: loopback unless --listen-public; a bare port is 127.0.0.1" {
	run weir-sink -f dashboard --listen 0.0.0.0:0 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a loopback address"*"--listen-public"* ]]
	run weir-sink -f dashboard --listen '[::]:0' < /dev/null
	[ "$status" -eq 2 ]
	mkfifo "$T/in"
	weir-sink -f dashboard --listen 0 < "$T/in" 2> "$T/err" &
	DASH_PID=$!
	exec 7> "$T/in"
	wait_for grep -q 'dashboard on port' "$T/err"
	PORT=$(sed -n 's/.*dashboard on port \([0-9]*\).*/\1/p' "$T/err")
	ss -Hltn "sport = :$PORT" > "$T/ss"
	cat "$T/ss"
	grep -q "127.0.0.1:$PORT" "$T/ss"
	# the default is 127.0.0.1:8080
	weir-sink --help | grep -q 'default 127.0.0.1:8080'
}

@test "dashboard: only / and /events are served, GET only" {
	start_dash
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/etc/passwd"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://127.0.0.1:$PORT/../../etc/passwd"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/index.html"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/events"
	[ "$output" = 405 ]
	# the page is whole: nothing is fetched from elsewhere
	curl -sf "http://127.0.0.1:$PORT/" > "$T/page"
	grep -q 'new EventSource("events")' "$T/page"
	! grep -Eq '(src|href)="(https?:)?//' "$T/page" || false
	run curl -sI "http://127.0.0.1:$PORT/"
	[[ "$output" == *"text/html"* ]]
}

@test "dashboard: serves after END until SIGTERM, then exits 0" {
	start_dash
	feed_end
	wait_for grep -q '"end":1' <(curl -s -m 1 "http://127.0.0.1:$PORT/events")
	sleep 0.5
	kill -0 "$DASH_PID"
	kill -TERM "$DASH_PID"
	status=0
	wait "$DASH_PID" || status=$?
	DASH_PID=""
	[ "$status" -eq 0 ]
}

@test "dashboard: usage errors" {
	run weir-sink -f dashboard -o "$T/x" < /dev/null
	[ "$status" -eq 2 ]
	run weir-sink -f dashboard --windows 0 < /dev/null
	[ "$status" -eq 2 ]
	run weir-sink -f dashboard --listen 127.0.0.1:99999 < /dev/null
	[ "$status" -eq 2 ]
	# the dashboard's options without -f dashboard
	run weir-sink --listen 127.0.0.1:0 < /dev/null
	[ "$status" -eq 2 ]
	run weir-sink -f csv --windows 3 < /dev/null
	[ "$status" -eq 2 ]
}

@test "dashboard: --key groups by a field; unwindowed rows form one window" {
	start_dash --key .user --chart n
	printf '%s\n' '{"user":"a","n":1}' '{"user":"b","n":5}' '{"user":"a","n":2}' \
		'{"n":7}' >&7
	feed_end
	wait_for grep -q '"end":1' <(curl -s -m 1 "http://127.0.0.1:$PORT/events")
	curl -sN -m 1 "http://127.0.0.1:$PORT/events" > "$T/c" || true
	cat "$T/c"
	grep -q '^data: {"chart":"n","key":".user","windows":10}$' "$T/c"
	[ "$(snap_rows "$T/c" | tr '\n' ' ')" = '{"user":"a","n":2} {"user":"b","n":5} {"n":7} ' ]
	grep -q '^data: {"k":"a","s":null,"e":null}$' "$T/c"
	grep -q '^data: {"k":"b","s":null,"e":null}$' "$T/c"
	grep -q '^data: {"k":"","s":null,"e":null}$' "$T/c"
}

@test "dashboard: the README's pipeline, weir-agg --every: provisional rows, then a watermark makes them final" {
	(
		limit weir-source --gen clicks --rate 2000 --max-delay 1s |
			weir-window tumbling 5s 2>/dev/null |
			weir-agg -g .page n=count spend=sum:.amount --every 500ms |
			weir-sink -f dashboard --listen 127.0.0.1:0 2> "$T/err"
	) &
	PIPE_PID=$!
	PIDS="$PIPE_PID"
	wait_for grep -q 'dashboard on port' "$T/err"
	PORT=$(sed -n 's/.*dashboard on port \([0-9]*\).*/\1/p' "$T/err")
	# a client for up to 12 s: until a window has been closed (5 s
	# windows, event time from the wall clock)
	curl -sN -m 12 "http://127.0.0.1:$PORT/events" > "$T/ev" || true
	pkill -TERM -P "$PIPE_PID" 2>/dev/null || true
	# a row is provisional while the watermark is below its window's end;
	# the page marks it final when a watermark reaches the end
	awk '/^event: / { ev = $2; n = 0; next }
	    /^data: / { n++
		if (ev == "watermark") wm = substr($0, 7) + 0
		if (ev == "row" && n == 2) {
			match($0, /"e":[0-9]+/); e = substr($0, RSTART + 4, RLENGTH - 4) + 0
			if (wm < e) { prov++; open[e] = 1 }
		}
		if (ev == "watermark") for (e in open) if (wm >= e) { fin++; delete open[e] }
	    } END { print prov + 0, fin + 0; exit !(prov > 0 && fin > 0) }' "$T/ev"
}
